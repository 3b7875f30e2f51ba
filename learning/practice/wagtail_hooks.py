"""Practice in the admin: the calibration report's URL and Reports menu item (views.py), and what
each target retention costs, beside the field in a change event's editor (cms.panels' hook)."""

from django.template.loader import render_to_string
from django.urls import path, reverse
from wagtail import hooks

from cms.panels import TARGET_COST_HOOK
from cms.roles import AuthorsMenuItem
from learning.practice.targets import target_costs
from learning.practice.views import CalibrationView


@hooks.register("register_admin_urls")
def register_calibration_urls():
    return [
        path("practice/calibration/", CalibrationView.as_view(), name="learning_calibration"),
    ]


@hooks.register("register_reports_menu_item")
def register_calibration_menu_item():
    return AuthorsMenuItem(
        "Practice calibration",
        reverse("learning_calibration"),
        name="practice-calibration",
        icon_name="time",
        order=1320,
    )


@hooks.register(TARGET_COST_HOOK)
def describe_target_costs(event) -> str:
    return render_to_string(
        "learning/practice/target_costs.html",
        {
            "found": target_costs(event),
            "current": None if event.target_retention is None else float(event.target_retention),
        },
    )
