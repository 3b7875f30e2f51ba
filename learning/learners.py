"""Who is asking: the learner behind a request, and what a manager may see."""

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from cms.errors import NotFound
from learning.models import Learner


def learner_for(request: HttpRequest) -> Learner:
    """The signed-in user's learner profile; a user without one has no learner endpoints (404).

    The API's token check has already read it with the user and manager (backend.token_read).
    """
    user = request.user
    if user.is_authenticated and get_user_model().learner.is_cached(user):
        try:
            return user.learner
        except Learner.DoesNotExist:
            raise NotFound("This account has no learner profile.") from None
    try:
        return Learner.objects.select_related("user", "manager").get(user=user)
    except Learner.DoesNotExist:
        raise NotFound("This account has no learner profile.") from None


def is_manager(user) -> bool:
    return Learner.objects.reports_of(user).exists()


def report_of(manager_user, learner_id: int) -> Learner:
    """The manager's direct report (an active account); NotFound (404) for anyone else."""
    learner = (
        Learner.objects.reports_of(manager_user)
        .select_related("user")
        .filter(pk=learner_id)
        .first()
    )
    if learner is None:
        raise NotFound("No such learner among your reports.")
    return learner
