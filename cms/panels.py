"""Editor panels that say what publishing will do."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.panels import HelpPanel


class EventPeoplePanel(HelpPanel):
    """On a change event's edit view: how many people are on its journey now, and so how many a
    new date moves when it is published (their steps, due dates and planned nudges)."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.content = _people_note(self.instance)


def _people_note(event) -> str:
    if event.pk is None:
        return "Nobody is on this journey yet: publishing enrols its audience."
    # The enrolments are learning's (related_name "enrollments"): cms reads them without importing it.
    current = event.enrollments.filter(ended_at__isnull=True).count()
    if event.anchors_on_start_date:
        return format_html(
            "<strong>{}</strong> {} on this onboarding journey, each from their own start date: "
            "a date here moves nobody.",
            current,
            "person is" if current == 1 else "people are",
        )
    live = event.date.strftime("%-d %B %Y") if event.live and event.date else "no live date"
    note = format_html(
        "<strong>{}</strong> {} on this journey (live date: {}). Publishing a new date moves "
        "each of their journeys: step dates, due dates and planned nudges follow.",
        current,
        "person is" if current == 1 else "people are",
        live,
    )
    if event.live and event.date:
        # learning's launch-readiness report (by URL name: cms knows no learners).
        note += format_html(
            ' <a href="{}">How ready will they be on the day?</a>',
            reverse("learning_event_readiness", args=[event.pk]),
        )
    return note


# Each function registered here takes a change event (saved or not, as the editor holds it) and
# returns HTML for the author beside its target retention, or None. learning registers what each
# target costs against the practice budget: cms knows no learners nor their scheduler.
TARGET_COST_HOOK = "describe_event_target_cost"


class TargetCostPanel(HelpPanel):
    """Beside the event's target retention: what each target would cost a learner a day."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            parts = [describe(self.instance) for describe in hooks.get_hooks(TARGET_COST_HOOK)]
            self.content = format_html_join("", "{}", ((part,) for part in parts if part))
