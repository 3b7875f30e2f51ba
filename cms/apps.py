from collections.abc import Callable

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def after_last_migrate(setup: Callable[[], object], *, dispatch_uid: str) -> None:
    """Run `setup()` once per `migrate`, after the last app's permissions exist.

    migrate sends post_migrate once per app, in INSTALLED_APPS order, and creates each app's
    permissions in its own round: only after the last app with models do all permissions exist.
    Used by the apps that set up groups (Authors here, Managers in learning).
    """

    def receiver(sender, **kwargs):
        with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
        if sender.label == with_models[-1].label:
            setup()

    post_migrate.connect(receiver, dispatch_uid=dispatch_uid, weak=False)


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import versions
        from cms.roles import ensure_authors_group

        after_last_migrate(ensure_authors_group, dispatch_uid="cms.ensure_authors_group")
        after_last_migrate(
            lambda: versions.install(versions.content_statements),
            dispatch_uid="cms.content_version_triggers",
        )
