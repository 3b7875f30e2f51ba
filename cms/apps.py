from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _after_last_app_migrated(sender, **kwargs):
    # migrate sends post_migrate once per app, in INSTALLED_APPS order, and creates each app's
    # permissions in its own round: only after the last one do all permissions exist.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label == with_models[-1].label:
        from cms.roles import ensure_authors_group

        ensure_authors_group()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_after_last_app_migrated, dispatch_uid="cms.ensure_authors_group")
