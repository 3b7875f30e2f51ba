"""Django admin for people records (HR fixes a start date, a manager, a time zone), and the
"Send invitation" action on Django's own user list."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from learning.journeys import enrolment
from learning.models import (
    Activity,
    Enrollment,
    Erasure,
    ImportRun,
    Learner,
    LrsCursor,
    SchedulerParameters,
)
from learning.people import invitations


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "team", "manager", "start_date", "timezone"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user", "manager"]
    readonly_fields = ["next_nudge_check_at", "created_at", "personal_data"]
    actions = ["erase_person"]

    @admin.action(description="Erase this person…", permissions=["delete"])
    def erase_person(self, request, queryset):
        # One at a time, through the page that says what will go and asks (nudges.privacy).
        chosen = list(queryset.values_list("pk", flat=True)[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose one person to erase at a time.", messages.WARNING)
            return None
        return redirect("privacy_erase", chosen[0])

    @admin.display(description="Data request")
    def personal_data(self, obj):
        if obj.pk is None:
            return "–"
        # The export (nudges.privacy, the app above learning), by URL name.
        return format_html(
            '<a href="{}">Download everything held about this person (JSON)</a> · '
            '<a href="{}">Erase this person…</a>',
            reverse("privacy_export", args=[obj.pk]),
            reverse("privacy_erase", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new person, or a changed role, team or start date, may match other events now.
        enrolment.enrol_in_matching_events([obj.pk], today=timezone.localdate())


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["learner", "event", "anchor_date", "buddy", "enrolled_at", "ended_at"]
    list_filter = ["event"]
    raw_id_fields = ["learner", "buddy"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "learner",
        "verb",
        "category",
        "minutes",
        "title",
        "occurred_at",
        "confirmation",
    ]
    list_filter = ["verb", "category", "confirmation"]
    search_fields = ["learner__user__username", "title"]
    raw_id_fields = ["learner", "module", "step", "job_task", "confirmed_by"]
    date_hierarchy = "occurred_at"


@admin.action(description="Send invitation", permissions=["change"])
def send_invitation(modeladmin, request, queryset):
    report = invitations.send_invitations(queryset.order_by("pk"), now=timezone.now())
    modeladmin.message_user(request, report.sent_message(), messages.SUCCESS)
    if (skipped := report.skipped_message()) is not None:
        modeladmin.message_user(request, skipped, messages.WARNING)


# Django's UserAdmin as it is, with the action (the only way to add one to a registered admin).
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = [send_invitation]


class _ReadOnlyRecord(admin.ModelAdmin):
    """A record the product writes and nobody edits: listed and opened, never added or changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SchedulerParameters)
class SchedulerParametersAdmin(_ReadOnlyRecord):
    """A set is made only by the weekly fit, and a kept one is the record of a decision."""

    list_display = [
        "fitted_at",
        "event",
        "review_count",
        "log_loss",
        "previous_log_loss",
        "adopted",
    ]
    list_filter = ["adopted"]


@admin.register(ImportRun)
class ImportRunAdmin(_ReadOnlyRecord):
    list_display = ["finished_at", "created", "updated", "unchanged", "invalid", "deactivated"]


@admin.register(Erasure)
class ErasureAdmin(_ReadOnlyRecord):
    """The audit of erasures (nudges.privacy.erase): when, by whom, how much; never whose."""

    list_display = ["erased_at", "learner_id", "erased_by", "counts"]


@admin.register(LrsCursor)
class LrsCursorAdmin(_ReadOnlyRecord):
    """How far each stream of learning records has gone to the LRS, and its last failure."""

    list_display = ["stream", "last_id", "failures", "next_attempt_at", "last_error", "updated_at"]
