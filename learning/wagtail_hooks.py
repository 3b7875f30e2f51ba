"""Admin surfaces for learners' data; each module registers its own Wagtail hooks on import."""

from learning import author_home, module_analytics_admin, team_admin  # noqa: F401
