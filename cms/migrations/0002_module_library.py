"""Create the module library page and make it the default site's root, as `wagtail start` does for home."""

from django.db import migrations


def create_library(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    ModuleIndexPage = apps.get_model("cms.ModuleIndexPage")

    if ModuleIndexPage.objects.exists():
        return
    # Wagtail's initial migration creates a placeholder "Welcome" page at depth 2: replace it.
    Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore").delete()
    root = Page.objects.get(depth=1)
    content_type, _ = ContentType.objects.get_or_create(model="moduleindexpage", app_label="cms")
    locale = Locale.objects.order_by("pk").first()
    library = ModuleIndexPage.objects.create(
        title="Modules",
        draft_title="Modules",
        slug="modules",
        content_type=content_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/modules/",
        locale_id=locale.pk,
        live=True,
        intro="Every micro-module lives here.",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page_id": library.pk, "site_name": "Micromoments"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_library, migrations.RunPython.noop)]
