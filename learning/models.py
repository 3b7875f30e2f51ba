"""Learners, their enrolments in change events, and the 70:20:10 activity ledger."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Max, Q
from django.utils.timezone import now as utc_now
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


def validate_timezone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            f"“{name}” is not an IANA time zone (e.g. Europe/Berlin).", code="timezone"
        )


def display_name(user) -> str:
    """A person as the screens name them: their full name, else their username."""
    return user.get_full_name() or user.get_username()


class LearnerQuerySet(models.QuerySet):
    def reports_of(self, manager) -> "LearnerQuerySet":
        """The manager's direct reports: the only learners a manager may see. A deactivated
        account has left the team: out of every view and figure until it is reactivated."""
        return self.filter(manager=manager, user__is_active=True)

    def active(self) -> "LearnerQuerySet":
        """Learners whose account is active: the only ones events enrol."""
        return self.filter(user__is_active=True)


class Learner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner"
    )
    # Not indexed: audiences match them case-insensitively (an index on the column cannot serve
    # that), at publish time only; every index here slows the planner's update of each learner.
    role = models.CharField(max_length=100, blank=True)
    team = models.CharField(max_length=100, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Their line manager, who follows their onboarding and confirms on-the-job tasks.",
    )
    start_date = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    locale = models.CharField(max_length=16, default="en")
    # When the nudge planner should next look at this learner (UTC); recomputed on every change.
    next_nudge_check_at = models.DateTimeField(
        null=True, blank=True, db_index=True, default=utc_now
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved by the database on every write to what the learner's own views read (their row, their
    # enrolments, activities, cards, reviews, pauses, celebrations, their buddies' names): the
    # learner's cached views are keyed on it (learning.cached; the triggers in cms.versions).
    view_version = models.BigIntegerField(default=0, editable=False)

    objects = LearnerQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "pk"]

    def __str__(self) -> str:
        return display_name(self.user)

    def local_date(self, now: datetime.datetime) -> datetime.date:
        """The date in the learner's own time zone at `now`: their "today"."""
        return now.astimezone(self.tz).date()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            # Forms validate the zone, but a row written directly (an import, a zone a tzdata update
            # dropped) must not make every page about this learner fail: their days are UTC's.
            return zoneinfo.ZoneInfo("UTC")


class EnrollmentQuerySet(models.QuerySet):
    def for_learner(self, learner: Learner) -> "EnrollmentQuerySet":
        return self.filter(learner=learner)

    def current(self) -> "EnrollmentQuerySet":
        """Enrolments that have not ended: the only ones the today feed, progress, the planner and
        the manager's figures count. Ended ones stay for history (and the learner's journeys list)."""
        return self.filter(ended_at__isnull=True)


class EndReason(models.TextChoices):
    """Why an enrolment ended; the row stays, for history."""

    DEACTIVATED = "deactivated", "Account deactivated"  # resumes when the account is reactivated
    WITHDRAWN = "withdrawn", "Withdrawn (no longer in the event's audience)"
    # Resumes when the event is published again.
    EVENT_ENDED = "event_ended", "The event was unpublished or expired"


class Enrollment(models.Model):
    """A learner's place in a change event's journey, anchored on a date (their start date for onboarding).

    An enrolment ends (ended_at, end_reason) rather than being deleted: a deactivated account or a
    move out of the event's audience keeps what the learner did.
    """

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrollments")
    event = models.ForeignKey(
        "cms.ChangeEvent", on_delete=models.CASCADE, related_name="enrollments"
    )
    anchor_date = models.DateField()
    enrolled_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=EndReason.choices, blank=True)
    # Who confirms the journey's buddy steps; without one, the learner's manager does.
    buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buddy_enrollments",
        help_text="Confirms the journey's buddy steps; empty: the learner's manager does.",
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "event"], name="one_enrollment_per_event"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="")
                | Q(ended_at__isnull=False) & ~Q(end_reason=""),
                name="enrollment_ended_with_a_reason",
            ),
        ]
        ordering = ["anchor_date", "pk"]

    def __str__(self) -> str:
        return f"{self.learner} in {self.event}"

    def clean(self):
        super().clean()
        if self.buddy_id is not None:
            if self.learner_id is not None and self.buddy_id == self.learner.user_id:
                raise ValidationError({"buddy": "A learner cannot be their own buddy."})
            if self.buddy is not None and not self.buddy.is_active:
                raise ValidationError({"buddy": "This account is deactivated."})

    @property
    def status(self) -> str:
        """The enrolment as the journeys list shows it: current, or why it ended."""
        return self.end_reason if self.ended_at is not None else "current"


class Pause(models.Model):
    """A vacation hold on the learner's own days, `starts_on` to `ends_on` inclusive (at most
    learning.journeys.pauses.MAX_DAYS). Ending it early moves `ends_on` back; one that never began
    is deleted. What it holds back is learning.journeys.pauses'."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="pauses")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_early_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="pause_ends_after_it_starts"
            )
        ]
        indexes = [models.Index(fields=["learner", "ends_on"], name="pause_learner_end")]
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return f"{self.learner} paused {self.starts_on} to {self.ends_on}"


class CelebrationQuerySet(models.QuerySet):
    def record(self, rows: list["Celebration"]) -> None:
        """Keep each moment once: a key already celebrated is left as it is."""
        if rows:
            self.bulk_create(rows, ignore_conflicts=True)


class Celebration(models.Model):
    """A moment of glory: a journey finished, a step confirmed, a week of practice. Shown once in
    the learner's today feed (`shown_at`), and the planner may nudge about it (nudges.Nudge)."""

    class Kind(models.TextChoices):
        JOURNEY_DONE = "journey_done", "Journey complete"
        CONFIRMED = "confirmed", "Step confirmed"
        PRACTICE_WEEK = "practice_week", "A week of practice"

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="celebrations")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text="What is celebrated, once per learner.")
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=300)
    achieved_at = models.DateTimeField()
    shown_at = models.DateTimeField(null=True, blank=True)

    objects = CelebrationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "key"], name="one_celebration_per_moment")
        ]
        indexes = [models.Index(fields=["learner", "shown_at"], name="celebration_learner_shown")]
        ordering = ["achieved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.learner}: {self.title}"


class Category(models.TextChoices):
    """How people learn (70:20:10): a description of the mix, never a quota."""

    EXPERIENCE = "experience", "On the job (70)"
    SOCIAL = "social", "With others (20)"
    FORMAL = "formal", "Formal (10)"


class Verb(models.TextChoices):
    MODULE_STARTED = "module_started", "started a module"
    MODULE_COMPLETED = "module_completed", "completed a module"
    STEP_DONE = "step_done", "did a journey step"
    ACTIVITY_LOGGED = "activity_logged", "logged an activity"
    FEEDBACK = "feedback", "gave feedback"
    NUDGE_OPENED = "nudge_opened", "opened a nudge"


class Confirmation(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed"
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"


class ActivityQuerySet(models.QuerySet):
    def counted(self) -> "ActivityQuerySet":
        """Rows that count toward the 70:20:10 mix: categorised and not awaiting confirmation."""
        return self.filter(category__isnull=False).exclude(confirmation=Confirmation.PENDING)

    def last_active(self) -> dict[int, datetime.datetime]:
        """Learner id → the time of their latest row among these (one grouped query)."""
        return dict(
            self.values("learner_id")
            .annotate(last=Max("occurred_at"))
            .order_by()
            .values_list("learner_id", "last")
        )


class Activity(models.Model):
    """The ledger: one row per thing a learner did. Maps one-to-one onto an xAPI statement."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="activities")
    client_id = models.UUIDField(
        default=uuid.uuid4, help_text="The app's id for the event: the idempotency key."
    )
    verb = models.CharField(max_length=32, choices=Verb.choices)
    # NULL: not part of the 70:20:10 mix (feedback, a nudge opened, a module merely started).
    category = models.CharField(max_length=16, choices=Category.choices, null=True, blank=True)  # noqa: DJ001
    minutes = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=255, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=16, default="app")  # app | import | admin | system
    module = models.ForeignKey(
        "cms.MicroModule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.ForeignKey(
        "cms.JourneyStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job_task = models.ForeignKey(
        "cms.JobTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nudge_id = models.BigIntegerField(
        null=True, blank=True
    )  # nudges.Nudge; learning does not import nudges
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    confirmation = models.CharField(
        max_length=16, choices=Confirmation.choices, default=Confirmation.NOT_NEEDED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "client_id"], name="one_activity_per_client_event"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "occurred_at"], name="activity_learner_time"),
            models.Index(fields=["learner", "step"], name="activity_learner_step"),
            models.Index(fields=["module", "verb"], name="activity_module_verb"),
            # The modules a learner completed (their journeys' formal steps, the today feed's
            # "not done yet"), without reading the rest of a long history.
            models.Index(
                fields=["learner", "module"],
                condition=Q(verb=Verb.MODULE_COMPLETED),
                name="activity_learner_completed",
            ),
        ]
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.learner} {self.get_verb_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def as_xapi(self) -> dict:
        """This row as an xAPI statement (actor, verb, object, result, timestamp)."""
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        user = self.learner.user
        if self.module_id:
            obj = {
                "id": f"{base}/api/v1/modules/{self.module_id}",
                "definition": {"name": {"en": self.title}},
            }
        elif self.step_id:
            obj = {
                "id": f"{base}/journey-steps/{self.step_id}",
                "definition": {"name": {"en": self.title}},
            }
        elif self.nudge_id:
            obj = {"id": f"{base}/nudges/{self.nudge_id}"}
        else:
            obj = {
                "id": f"{base}/activities/{self.client_id}",
                "definition": {"name": {"en": self.title}},
            }
        result: dict = {}
        if self.minutes:
            result["duration"] = f"PT{self.minutes}M"
        if self.rating is not None:
            result["score"] = {"raw": self.rating, "min": 1, "max": 5}
        if self.comment:
            result["response"] = self.comment
        statement = {
            "id": str(self.client_id),
            "actor": {
                "objectType": "Agent",
                "name": str(self.learner),
                "mbox": f"mailto:{user.email}",
            },
            "verb": {"id": XAPI_VERBS[self.verb], "display": {"en-US": self.get_verb_display()}},
            "object": obj,
            "timestamp": self.occurred_at.isoformat(),
        }
        if result:
            statement["result"] = result
        if self.category:
            statement["context"] = {"extensions": {f"{base}/xapi/category": self.category}}
        return statement


XAPI_VERBS: dict[str, str] = {  # by the stored value, which each Verb is too
    Verb.MODULE_STARTED: "http://adlnet.gov/expapi/verbs/attempted",
    Verb.MODULE_COMPLETED: "http://adlnet.gov/expapi/verbs/completed",
    Verb.STEP_DONE: "http://adlnet.gov/expapi/verbs/completed",
    Verb.ACTIVITY_LOGGED: "http://adlnet.gov/expapi/verbs/experienced",
    Verb.FEEDBACK: "http://id.tincanapi.com/verb/rated",
    Verb.NUDGE_OPENED: "http://activitystrea.ms/schema/1.0/open",
}


# --- Spaced practice ------------------------------------------------------------------------------


class CardState(models.IntegerChoices):
    """fsrs.State's values: there is no "new" state, a fresh card is Learning at step 0."""

    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class CardQuerySet(models.QuerySet):
    def for_learner(self, learner: Learner) -> "CardQuerySet":
        return self.filter(learner=learner)


class Card(models.Model):
    """A learner's practice card for one question block of a module, with its FSRS state in columns.

    The card follows the block's stable StreamField id across edits of the module; `due` is indexed
    with the learner so that "my due cards" is one index range scan.
    """

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="cards")
    module = models.ForeignKey("cms.MicroModule", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64, help_text="The question block's StreamField id.")
    event = models.ForeignKey(
        "cms.ChangeEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where the desired retention comes from (0.9 without one).",
    )
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True, help_text="False once its question was removed.")
    answer_fingerprint = models.CharField(
        max_length=64, help_text="Hash of the correct choices: a new answer resets the card."
    )
    # Reviews answered before this (against an answer since changed) stay in the log but no longer
    # count toward the card's state.
    reset_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "module", "block_id"], name="one_card_per_learner_question"
            )
        ]
        indexes = [
            models.Index(fields=["learner", "due"], name="card_learner_due"),
            models.Index(fields=["module", "block_id"], name="card_module_block"),
        ]
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"{self.learner}: {self.module_id}/{self.block_id}"


class ImportRun(models.Model):
    """One HR import as it was written (learning.people.hr_import): its rows by outcome. The
    operator's record of each sync, and what /metrics counts import rows from."""

    finished_at = models.DateTimeField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-finished_at", "-pk"]

    def __str__(self) -> str:
        return f"HR import at {self.finished_at:%Y-%m-%d %H:%M}"


class LrsCursor(models.Model):
    """How far each stream of learning records has gone to the organisation's LRS (the ledger's
    rows, the practice answers): a high-water mark by id, with the back-off of the last failure."""

    stream = models.CharField(max_length=32, unique=True)
    last_id = models.BigIntegerField(default=0, help_text="Rows up to this id have been sent.")
    failures = models.PositiveIntegerField(default=0, help_text="Failed attempts in a row.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.stream} sent up to {self.last_id}"


class Erasure(models.Model):
    """The audit entry an erasure leaves (backend.privacy.erase): when, by whom and how much, and
    never whose: the person's name and email are what was erased."""

    learner_id = models.BigIntegerField(help_text="The anonymised learner row that remains.")
    erased_at = models.DateTimeField()
    erased_by = models.CharField(
        max_length=150, help_text="Who asked for it: an administrator's username, or the command."
    )
    counts = models.JSONField(default=dict, help_text="Rows erased or anonymised, per kind.")

    class Meta:
        ordering = ["-erased_at", "-pk"]

    def __str__(self) -> str:
        return f"Erasure of learner {self.learner_id} at {self.erased_at:%Y-%m-%d %H:%M}"


def _default_budget() -> int:
    return settings.PRACTICE_DAILY_BUDGET_MINUTES


@register_setting(icon="time")
class PracticeBudget(BaseGenericSetting):
    """The organisation's daily practice budget: the most practice a learner is offered in a day."""

    daily_minutes: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        "minutes per learner per day",
        default=_default_budget,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=(
            "The most spaced practice anyone is offered in a day (about two questions a minute): "
            "the most important cards first. Each event's editor shows what its target retention "
            "costs against it."
        ),
    )

    class Meta:
        verbose_name = "practice budget"


class SchedulerParametersQuerySet(models.QuerySet):
    def adopted(self) -> "SchedulerParametersQuerySet":
        return self.filter(adopted=True)


class SchedulerParameters(models.Model):
    """One fit of FSRS's parameters to our own review log, adopted or not, with how it was judged.

    Every fit is kept: the set, what it was fitted on, and its figures and the figures of the set it
    was judged against (the one in force then, or fsrs's defaults) on the same time-ordered
    hold-out. The newest adopted set of an event schedules that event's cards, else the newest
    adopted workforce set (no event), else fsrs's defaults (learning.practice.calibration).
    """

    event = models.ForeignKey(
        "cms.ChangeEvent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The event whose reviews it was fitted on; empty for the whole workforce.",
    )
    parameters = models.JSONField(help_text="FSRS 6's 21 parameters.")
    fitted_at = models.DateTimeField(db_index=True)
    review_count = models.PositiveIntegerField(help_text="Reviews in the log it was fitted on.")
    learner_count = models.PositiveIntegerField(help_text="Learners who gave those reviews.")
    training_items = models.PositiveIntegerField()
    holdout_items = models.PositiveIntegerField(help_text="Later reviews held out to judge it.")
    log_loss = models.FloatField(help_text="On the hold-out.")
    rmse_bins = models.FloatField(help_text="On the hold-out (fsrs-rs's RMSE over bins).")
    previous_log_loss = models.FloatField(
        help_text="The set in force before, on the same hold-out."
    )
    previous_rmse_bins = models.FloatField()
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The set it was judged against; empty for fsrs's defaults.",
    )
    calibration = models.JSONField(
        default=dict,
        help_text="Predicted against actual recall on the hold-out, in bins, for both sets.",
    )
    adopted = models.BooleanField(help_text="Whether it did better than the set in force.")
    seconds = models.FloatField(help_text="How long the fit took.")

    objects = SchedulerParametersQuerySet.as_manager()

    class Meta:
        verbose_name = "scheduler parameter set"
        ordering = ["-fitted_at", "-pk"]
        indexes = [
            models.Index(
                fields=["event", "-fitted_at"], name="params_in_force", condition=Q(adopted=True)
            )
        ]

    def __str__(self) -> str:
        scope = f"event {self.event_id}" if self.event_id else "workforce"
        verdict = "adopted" if self.adopted else "not adopted"
        return f"FSRS parameters for the {scope}, {self.fitted_at:%Y-%m-%d} ({verdict})"


class Review(models.Model):
    """One answer to a card, as the app sent it and as the scheduler read it: the review log."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField(help_text="The app's id for the answer: the idempotency key.")
    answered_at = models.DateTimeField()
    rating = models.PositiveSmallIntegerField(help_text="The FSRS rating applied (1–4).")
    correct = models.BooleanField(null=True, blank=True, help_text="Empty for self-graded cards.")
    chosen = models.JSONField(default=list, blank=True, help_text="The chosen choice indexes.")
    response_ms = models.PositiveIntegerField(help_text="Time to answer (fsrs review_duration).")
    # The card after this review, in answered_at order (rewritten when an earlier answer arrives late).
    due_after = models.DateTimeField(null=True, blank=True)
    stability_after = models.FloatField(null=True, blank=True)
    parameters = models.ForeignKey(
        SchedulerParameters,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The fitted set in force when it was scheduled; empty for fsrs's defaults.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "client_id"], name="one_review_per_client_answer"
            ),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="rating_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["card", "answered_at"], name="review_card_time"),
            # A learner's answers today, against the daily budget (learning.practice.budget).
            models.Index(fields=["learner", "answered_at"], name="review_learner_time"),
        ]
        ordering = ["answered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.learner} rated card {self.card_id} {self.rating} at {self.answered_at:%Y-%m-%d %H:%M}"
