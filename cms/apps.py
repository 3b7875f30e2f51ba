from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms.roles import on_post_migrate

        # Permissions exist only after migrate has created them: set up groups then.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="cms.ensure_authors_group")
