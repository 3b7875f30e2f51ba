"""Content: micro-modules (Wagtail pages), job tasks, and change events with their journeys.

cms knows no learners and no nudges: audiences are described by role and team, and `learning`
turns them into enrolments.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, Orderable, Page, RevisionMixin
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from cms.blocks import ModuleBodyBlock
from cms.modules import estimate_minutes
from cms.panels import EventPeoplePanel, TargetCostPanel


class ModuleIndexPage(Page):
    """The library: the parent of every MicroModule."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.MicroModule"]
    parent_page_types = ["wagtailcore.Page"]
    # The default site's root: "/" is this page, a small landing page with the way to the admin.
    template = "cms/pages/module_index_page.html"
    MODULES_PER_PAGE = 50

    class Meta:
        verbose_name = "module library"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        modules = (
            MicroModule.objects.child_of(self).live().public().defer("body").order_by("title", "pk")
        )
        context["modules"] = Paginator(modules, self.MODULES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        return context


class JobTaskQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class JobTask(index.Indexed, models.Model):
    """Something a person does at work ("Process a refund"): what learners search for at the point of need."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    synonyms = models.TextField(
        blank=True,
        help_text="Other ways people ask for this task, one per line (e.g. 'give money back').",
    )

    objects = JobTaskQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("synonyms")]
    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("synonyms", boost=2),
        index.SearchField("description"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "job task"

    def __str__(self) -> str:
        return self.name

    @property
    def synonym_list(self) -> list[str]:
        return [line.strip() for line in self.synonyms.splitlines() if line.strip()]


class MicroModule(Page):
    """A 2–5 minute module: text, media, practice questions and prompts to learn on the job and with others."""

    summary = models.TextField(
        max_length=500, help_text="One or two sentences: what the learner can do after."
    )
    job_tasks = ParentalManyToManyField(JobTask, blank=True, related_name="modules")
    body = StreamField(ModuleBodyBlock(), use_json_field=True)
    minutes_override = models.PositiveSmallIntegerField(
        "estimated minutes (set by hand)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Leave empty to derive it from the body (about 200 words a minute plus video length).",
    )
    # Derived from the body on every save unless the author set minutes_override; stored so that
    # "modules that fit in N minutes" is one indexed filter.
    estimated_minutes = models.PositiveSmallIntegerField(default=1, editable=False, db_index=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("job_tasks"),
        FieldPanel("minutes_override"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.RelatedFields(
            "job_tasks", [index.SearchField("name", boost=2), index.SearchField("synonyms")]
        ),
        index.FilterField("estimated_minutes"),
    ]
    parent_page_types = ["cms.ModuleIndexPage"]
    subpage_types: list[str] = []
    template = "cms/pages/micro_module.html"

    class Meta:
        verbose_name = "micro-module"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = getattr(request, "user", None)
        # The app never gets the right answers (practice checks them on the server): on the web
        # only the editor's preview and people with the admin see them, behind a reveal.
        context["show_answers"] = getattr(request, "is_preview", False) or bool(
            user and user.has_perm("wagtailadmin.access_admin")
        )
        # Derived here too: a preview shows an unsaved draft, whose stored figure is stale.
        context["minutes"] = self.minutes_override or estimate_minutes(self.body)
        context["job_tasks"] = list(self.job_tasks.all())
        context["library"] = self.get_parent() if self.pk else None
        return context

    def save(self, *args, **kwargs):
        self.estimated_minutes = self.minutes_override or estimate_minutes(self.body)
        return super().save(*args, **kwargs)

    def with_content_json(self, content):
        # A revision published later (scheduled publishing) carries its own body: derive from it.
        page = super().with_content_json(content)
        page.estimated_minutes = page.minutes_override or estimate_minutes(page.body)
        return page


class ChangeEvent(DraftStateMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """Something that changes people's work: onboarding, a launch, a rollout. Its journey is its steps."""

    class Kind(models.TextChoices):
        ONBOARDING = "onboarding", "Onboarding"
        PRODUCT_LAUNCH = "product_launch", "Product launch"
        SOFTWARE_ROLLOUT = "software_rollout", "Software rollout"
        COMPLIANCE = "compliance", "Compliance change"
        ROLE_CHANGE = "role_change", "Role change"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)
    date = models.DateField(
        null=True,
        blank=True,
        help_text="When it happens. Onboarding anchors on each learner's start date instead.",
    )
    audience_everyone = models.BooleanField(
        "everyone", default=False, help_text="Enrol every learner, whatever the audience rules say."
    )
    target_retention = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.90"),
        validators=[MinValueValidator(Decimal("0.70")), MaxValueValidator(Decimal("0.99"))],
        help_text="Desired recall for practice cards of this event (0.70–0.99; compliance may want 0.95).",
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("date")]),
        EventPeoplePanel(heading="People on this journey"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("audience_everyone"), InlinePanel("audience_rules", label="Audience rule")],
            heading="Audience",
        ),
        MultiFieldPanel(
            [FieldPanel("target_retention"), TargetCostPanel()],
            heading="Practice",
        ),
        InlinePanel("steps", label="Journey step", heading="Journey"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = "change event"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.kind != self.Kind.ONBOARDING and self.date is None:
            raise ValidationError(
                {"date": "Give the date this event happens (only onboarding goes without)."}
            )

    @property
    def anchors_on_start_date(self) -> bool:
        return self.kind == self.Kind.ONBOARDING


class EventAudience(Orderable):
    """One audience rule: learners with this role and/or in this team (a blank part matches anyone)."""

    event = ParentalKey(ChangeEvent, on_delete=models.CASCADE, related_name="audience_rules")
    role = models.CharField(max_length=100, blank=True)
    team = models.CharField(max_length=100, blank=True)

    panels = [FieldRowPanel([FieldPanel("role"), FieldPanel("team")])]

    def clean(self):
        super().clean()
        if not self.role.strip() and not self.team.strip():
            raise ValidationError("Give a role, a team or both (tick 'everyone' for all learners).")

    def __str__(self) -> str:
        return " / ".join(part for part in (self.role, self.team) if part)


class JourneyStep(Orderable):
    """One step of an event's journey: a module (formal), a social activity or an on-the-job task."""

    class Kind(models.TextChoices):
        FORMAL = "formal", "Module (formal, 10)"
        SOCIAL = "social", "With others (social, 20)"
        ON_THE_JOB = "on_the_job", "On the job (experience, 70)"

    class Confirmer(models.TextChoices):
        SELF = "self", "The learner"
        BUDDY = "buddy", "Their buddy"
        MANAGER = "manager", "Their manager"

    # The 70:20:10 ledger category each kind of step counts toward.
    CATEGORY = {Kind.FORMAL: "formal", Kind.SOCIAL: "social", Kind.ON_THE_JOB: "experience"}

    event = ParentalKey(ChangeEvent, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FORMAL)
    module = models.ForeignKey(
        MicroModule, null=True, blank=True, on_delete=models.PROTECT, related_name="journey_steps"
    )
    job_task = models.ForeignKey(
        JobTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="journey_steps"
    )
    instructions = models.TextField(blank=True)
    day_offset = models.IntegerField(
        default=0,
        help_text="Days from the event's date (or start date) when the step unlocks; negative = before.",
    )
    due_offset = models.PositiveSmallIntegerField(
        default=3, help_text="Days after unlocking by which the step is due."
    )
    confirmed_by = models.CharField(
        max_length=16, choices=Confirmer.choices, default=Confirmer.SELF
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
        help_text="Minutes the step takes, for a step without a module (a module step takes the "
        "module's): the today feed fits steps into the minutes a learner has. Empty: the "
        "MICROMOMENTS_STEP_MINUTES default.",
    )
    practice_cards = models.BooleanField(
        default=False,
        help_text="When the step is done, give the learner practice cards for its module's "
        "questions (a module step does this on completion anyway).",
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("confirmed_by")]),
        FieldPanel("module"),
        FieldPanel("practice_cards"),
        FieldPanel("job_task"),
        FieldPanel("instructions"),
        FieldRowPanel(
            [FieldPanel("day_offset"), FieldPanel("due_offset"), FieldPanel("estimated_minutes")]
        ),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="formal") | Q(module__isnull=False), name="formal_step_has_module"
            )
        ]

    def clean(self):
        super().clean()
        if self.kind == self.Kind.FORMAL and self.module_id is None:
            raise ValidationError({"module": "A module step needs a module."})

    def __str__(self) -> str:
        return self.title

    @property
    def category(self) -> str:
        return self.CATEGORY[self.kind]


class SearchMiss(models.Model):
    """Per day, how often a (normalised) search found nothing: the authors' list of content gaps.

    Wagtail's search promotions log counts every search (QueryDailyHits); this counts the misses.
    """

    query = models.ForeignKey(
        "wagtailsearchpromotions.Query", on_delete=models.CASCADE, related_name="misses"
    )
    date = models.DateField()
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["query", "date"], name="one_miss_row_per_query_day")
        ]
        verbose_name = "search that found nothing"

    def __str__(self) -> str:
        return f"{self.query} ({self.date}: {self.misses})"


class ContentVersion(models.Model):
    """One row: a number the database moves on every write to published content's tables
    (cms.versions' triggers), so a cache keyed on it is never stale after a publish."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return f"content version {self.version}"
