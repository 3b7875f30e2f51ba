from django.apps import AppConfig


class NudgesConfig(AppConfig):
    name = "nudges"
    verbose_name = "Nudges"
    default_auto_field = "django.db.models.BigAutoField"
