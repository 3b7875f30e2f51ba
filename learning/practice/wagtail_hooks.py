"""The practice calibration report in the admin: its URL and Reports menu item (views.py)."""

from django.urls import path, reverse
from wagtail import hooks

from cms.roles import AuthorsMenuItem
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
