from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from backend.api import api
from backend.api_edge import not_found as api_not_found
from backend.health import healthz, readyz
from backend.metrics import metrics
from backend.password_pages import set_password_page
from nudges.privacy import admin_erase, admin_export

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", api.urls),
    # Anything else under /api/ is a JSON 404, never a page, a slash redirect or an HTML error.
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    # A learner's personal data for a data request (linked from the Learner's change page).
    path("django-admin/privacy/export/<int:learner_id>/", admin_export, name="privacy_export"),
    path("django-admin/privacy/erase/<int:learner_id>/", admin_erase, name="privacy_erase"),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    # The admin's single sign-on: /oidc/authenticate/, /oidc/callback/ (mozilla-django-oidc).
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("set-password/", set_password_page, name="set-password"),
]


def serve_media(request, path):
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


if settings.SERVE_MEDIA:
    # Uploaded images and their renditions. Behind a CDN or object storage in a large deployment.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve_media)]

urlpatterns += [path("", include(wagtail_urls))]
