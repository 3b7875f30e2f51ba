"""Framework glue: a user's `is_active` or a learner's role or team changed by a model save (the
Django admin, Wagtail's user admin, the shell) or by Wagtail's "Set active state" bulk action
reaches the one domain function for it.

The import and other bulk writers update rows without saving models, and call those functions
themselves. Each pre_save reads the stored value once, and only when the save may change it.
"""

from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from wagtail import hooks

from learning.journeys import enrolment
from learning.models import Learner
from learning.people import accounts


def _stored(sender, instance, update_fields, fields: tuple[str, ...]) -> tuple | None:
    if instance.pk is None or (update_fields is not None and not set(fields) & set(update_fields)):
        return None
    return sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()


def remember_active(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    stored = None if raw else _stored(sender, instance, update_fields, ("is_active",))
    instance._stored_is_active = stored[0] if stored else None


def follow_active(sender, instance, created=False, raw=False, **kwargs) -> None:
    was = getattr(instance, "_stored_is_active", None)
    instance._stored_is_active = instance.is_active
    if raw or created or was is None or was == instance.is_active:
        return
    now = timezone.now()
    if instance.is_active:
        accounts.reactivate([instance.pk], now=now)
    else:
        accounts.deactivate([instance.pk], now=now, reason=f"user {instance.pk} saved as inactive")


def remember_audience(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    instance._stored_audience = (
        None if raw else _stored(sender, instance, update_fields, ("role", "team"))
    )


def follow_audience(sender, instance, created=False, raw=False, **kwargs) -> None:
    was = getattr(instance, "_stored_audience", None)
    instance._stored_audience = (instance.role, instance.team)
    if raw or created or was is None or was == (instance.role, instance.team):
        return
    enrolment.follow_audiences([instance.pk], now=timezone.now())


def connect(user_model) -> None:
    """Meant for AppConfig.ready()."""
    pre_save.connect(remember_active, sender=user_model, dispatch_uid="learning.remember_active")
    post_save.connect(follow_active, sender=user_model, dispatch_uid="learning.follow_active")
    pre_save.connect(remember_audience, sender=Learner, dispatch_uid="learning.remember_audience")
    post_save.connect(follow_audience, sender=Learner, dispatch_uid="learning.follow_audience")


@hooks.register("after_bulk_action")
def follow_bulk_active_state(request, action_type, objects, action_class_instance) -> None:
    # Wagtail's bulk action updates `is_active` with a queryset update: no save, no signal.
    if action_type != "set_active_state":
        return
    now = timezone.now()
    if action_class_instance.cleaned_form.cleaned_data["mark_as_active"]:
        accounts.reactivate(objects, now=now)
    else:
        accounts.deactivate(objects, now=now, reason=f"marked inactive by user {request.user.pk}")
