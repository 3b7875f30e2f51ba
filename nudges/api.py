"""The learner's nudge preferences: read them, change any of them."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from cms.errors import error_responses
from learning.learners import learner_for
from nudges.preferences import get_preferences, update_preferences
from nudges.schemas import PreferencesOut, PreferencesPatch

router = Router(tags=["nudges"])


@router.get(
    "/me/preferences",
    response={200: PreferencesOut, **error_responses(404)},
    summary="My nudge preferences",
)
def read_preferences(request: HttpRequest):
    return get_preferences(learner_for(request))


@router.patch(
    "/me/preferences",
    response={200: PreferencesOut, **error_responses(404)},
    summary="Change my nudge preferences",
)
def change_preferences(request: HttpRequest, payload: PreferencesPatch):
    """Change any of time zone, quiet hours, dead-time windows, daily cap, weekends, nudges on/off.

    An invalid value is a 422 naming its field (e.g. `windows.0` for a window in quiet hours), and
    then nothing changes. The answer is the whole preferences object.
    """
    learner = learner_for(request)
    return update_preferences(learner, payload.model_dump(exclude_unset=True), now=timezone.now())
