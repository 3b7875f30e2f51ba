"""Authors no longer publish modules themselves: they submit them to the "Module review" workflow.

Databases set up before the review existed gave the Authors group publish_page on the library; the
group set-up after migrate no longer grants it, but does not take it away either (an administrator
may choose to grant it again). This takes it away once. On a new database it finds nothing to do.
"""

from django.db import migrations


def authors_stop_publishing_modules(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    ModuleIndexPage = apps.get_model("cms", "ModuleIndexPage")
    GroupPagePermission.objects.filter(
        group__name="Authors",
        permission__codename="publish_page",
        page_id__in=ModuleIndexPage.objects.values_list("page_ptr_id", flat=True),
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_journeystep_practice_cards"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(authors_stop_publishing_modules, migrations.RunPython.noop)]
