"""The authors' launch readiness: /cms/analytics/readiness/ (the dated events ahead) and
/cms/analytics/readiness/<event_id>/ (one event: predicted recall on its day, per question).

For the author of a launch: which questions will be weakest on the day, if people keep to their
practice and if they stopped today, so they can rewrite or add to them while there is time. Authors
and superusers only; aggregates only, never a learner.
"""

import datetime

from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.models import ChangeEvent, MicroModule
from cms.roles import AuthorsOnlyMixin
from cms.templatetags.charts import Row
from learning.analytics.modules import shorten
from learning.models import Enrollment
from learning.practice.cards import published_questions
from learning.practice.readiness import EventForecast, EventOnTheDay, event_forecast

HORIZON_DAYS = 366  # dated events further ahead are not yet worth a forecast


def _today() -> datetime.date:
    return timezone.localdate()


def upcoming_events() -> list[dict]:
    """Live events dated from today to a year ahead, soonest first, with how many are on them."""
    today = _today()
    events = ChangeEvent.objects.filter(
        live=True, date__gte=today, date__lte=today + datetime.timedelta(days=HORIZON_DAYS)
    ).order_by("date", "name", "pk")
    people = dict(
        Enrollment.objects.current()
        .filter(event__in=events)
        .values_list("event_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {
            "event": event,
            "people": people.get(event.pk, 0),
            "url": reverse("learning_event_readiness", args=[event.pk]),
        }
        for event in events
    ]


class ReadinessIndexView(AuthorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Launch readiness"
    header_icon = "date"
    template_name = "learning/readiness/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = upcoming_events()
        return context


class EventReadinessView(AuthorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "learning/readiness/event.html"
    header_icon = "date"

    def get(self, request, *args, event_id: int, **kwargs):
        event = ChangeEvent.objects.filter(pk=event_id).first()
        if event is None:
            raise Http404("No change event with this id.")
        self.event = event
        self.forecast: EventForecast | None = None
        if event.date is not None and event.date >= _today():
            self.forecast = event_forecast(
                EventOnTheDay(
                    event_id=event.pk,
                    name=event.name,
                    date=event.date,
                    target_retention=event.target_retention,
                ),
                now=timezone.now(),
            )
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"Ready on the day: {self.event.name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("learning_readiness"), "label": "Launch readiness"},
            {"url": "", "label": self.event.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = self.event
        context["forecast"] = self.forecast
        context["target"] = round(100 * float(self.event.target_retention))
        context["edit_url"] = reverse("wagtailsnippets_cms_changeevent:edit", args=[self.event.pk])
        context["questions"] = _question_rows(self.forecast) if self.forecast else []
        context["question_chart"] = [
            Row(
                shorten(q["prompt"], 70),
                q["if_kept"],
                f"{q['if_kept']}% if kept up, {q['if_stopped']}% if stopped today "
                f"({q['reviewed']} of {q['cards']} answered)",
            )
            for q in context["questions"]
            if q["if_kept"] is not None
        ]
        return context


def _question_rows(forecast: EventForecast) -> list[dict]:
    """Each question with its module and prompt as live now; a question removed since is left out."""
    module_ids = {q.module_id for q in forecast.questions}
    modules = {
        m.pk: m
        for m in MicroModule.objects.filter(pk__in=module_ids).only(
            "pk", "title", "last_published_at"
        )
    }
    questions = published_questions({pk: m.last_published_at for pk, m in modules.items()})
    rows = []
    for q in forecast.questions:
        question = questions.get(q.module_id, {}).get(q.block_id)
        if question is None:
            continue
        rows.append(
            {
                "module": modules[q.module_id].title,
                "module_url": reverse("learning_module_analytics_module", args=[q.module_id]),
                "prompt": question.prompt,
                "cards": q.cards,
                "reviewed": q.reviewed,
                "if_kept": None if q.if_kept is None else round(100 * q.if_kept),
                "if_stopped": None if q.if_stopped is None else round(100 * q.if_stopped),
            }
        )
    return rows
