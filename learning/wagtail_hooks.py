"""Admin surfaces for learners' data; each capability's hooks module registers its own on import."""

from learning.analytics import wagtail_hooks as analytics_hooks  # noqa: F401
from learning.people import wagtail_hooks as people_hooks  # noqa: F401
from learning.practice import wagtail_hooks as practice_hooks  # noqa: F401
from learning.team import wagtail_hooks as team_hooks  # noqa: F401
