"""GET /me/progress and GET /me/today: read-only views of the signed-in learner's own data."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from cms.errors import error_responses
from learning.learners import learner_for
from learning.progress import progress_for
from learning.progress_schemas import ProgressOut, TodayOut
from learning.today import today_feed

TAGS = ["progress"]
# Repeated on each operation: a nested router otherwise inherits its parent's tags as well.
router = Router(tags=TAGS)


@router.get(
    "/me/progress",
    response={200: ProgressOut, **error_responses(404)},
    tags=TAGS,
    summary="My progress",
)
def my_progress(request: HttpRequest):
    """Journey completion, my 70:20:10 mix beside the 70/20/10 reference, and my streak in my own days."""
    return progress_for(learner_for(request), now=timezone.now())


@router.get(
    "/me/today",
    response={200: TodayOut, **error_responses(404)},
    tags=TAGS,
    summary="What I can do now",
)
def my_today(request: HttpRequest, minutes: int = Query(5, ge=1, le=60)):
    """Journey steps I can act on (overdue and due soon first), then modules that fit in `minutes`."""
    return today_feed(learner_for(request), minutes=minutes, now=timezone.now())
