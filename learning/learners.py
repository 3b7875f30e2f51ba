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
    try:
        if user.is_authenticated and get_user_model().learner.is_cached(user):
            return user.learner
        return Learner.objects.select_related("user", "manager").get(user=user)
    except Learner.DoesNotExist:
        raise NotFound("This account has no learner profile.") from None


# Set on a user by the API's token read (backend.token_read), which asks it in the same statement.
_MANAGES_ANYONE = "_micromoments_manages_anyone"


def remember_manages_anyone(user, value: bool) -> None:
    setattr(user, _MANAGES_ANYONE, value)


def is_manager(user) -> bool:
    """Whether `user` has a report (an active account): Learner.objects.reports_of's rule."""
    known = getattr(user, _MANAGES_ANYONE, None)
    if known is not None:
        return known
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
