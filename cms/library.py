"""The module library as learners see it: live modules, one by id or filtered by task, event and text."""

from django.db.models import QuerySet

from cms.errors import NotFound
from cms.models import JobTask, MicroModule
from cms.search import search_modules, search_terms


def live_modules() -> QuerySet[MicroModule]:
    return MicroModule.objects.live().prefetch_related("job_tasks")


def live_module(module_id: int) -> MicroModule:
    module = live_modules().filter(pk=module_id).first()
    if module is None:
        raise NotFound("No such module.")
    return module


def module_list(
    *, job_task_id: int | None = None, event_id: int | None = None, text: str | None = None
):
    """Live modules, newest first, or best match first when `text` has words to search for.

    Raises NotFound for an unknown job task (an unknown event simply has no modules).
    """
    chosen = MicroModule.objects.live()
    if job_task_id is not None:
        if not JobTask.objects.filter(pk=job_task_id).exists():
            raise NotFound("No such job task.")
        chosen = chosen.filter(job_tasks=job_task_id)
    if event_id is not None:
        chosen = chosen.filter(journey_steps__event_id=event_id, journey_steps__event__live=True)
    modules = live_modules()
    if job_task_id is not None or event_id is not None:
        # One `id IN (…)` rather than the joins themselves: Wagtail search accepts filters only on
        # the fields a model indexes for filtering (joins to tasks and events are not), and the
        # subquery needs no DISTINCT for a module in two steps of one journey.
        modules = modules.filter(id__in=chosen.values("pk"))
    if text is None or not text.strip():
        return modules.order_by("-first_published_at", "-pk")
    if not search_terms(text):
        # Only punctuation or stop words: nothing to look for, so nothing found (as PostgreSQL).
        return modules.none()
    return search_modules(modules, text)
