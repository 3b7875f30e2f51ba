"""GET and PATCH /me/preferences: when a learner may be nudged, in their own local time."""

import pytest
from django.test import Client

from learning.models import Learner
from nudges.models import NudgePreferences
from tests.factories import LearnerFactory, UserFactory, token_client

URL = "/api/v1/me/preferences"

DEFAULTS = {
    "timezone": "Europe/London",
    "quiet_hours": {"start": "21:00", "end": "08:00"},
    "windows": [
        {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "08:40"},
        {"days": [0, 1, 2, 3, 4], "start": "12:30", "end": "13:00"},
    ],
    "daily_cap": 2,
    "weekends": False,
    "nudges_enabled": True,
}


def patch(client, body):
    return client.patch(URL, body, content_type="application/json")


def test_a_new_learner_gets_the_defaults(api_client):
    response = api_client.get(URL)
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert NudgePreferences.objects.count() == 1


def test_patch_changes_only_what_is_sent_and_answers_the_whole_object(api_client, learner):
    response = patch(api_client, {"daily_cap": 5, "weekends": True})
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, "daily_cap": 5, "weekends": True}
    assert api_client.get(URL).json() == {**DEFAULTS, "daily_cap": 5, "weekends": True}


def test_patch_everything_at_once(api_client, learner):
    body = {
        "timezone": "America/New_York",
        "quiet_hours": {"start": "22:30", "end": "06:45"},
        "windows": [{"days": [5, 6, 5], "start": "10:00", "end": "10:20"}],
        "daily_cap": 0,
        "weekends": True,
        "nudges_enabled": False,
    }
    response = patch(api_client, body)
    assert response.status_code == 200
    # Days come back sorted, without repeats.
    assert response.json() == {
        **body,
        "windows": [{"days": [5, 6], "start": "10:00", "end": "10:20"}],
    }
    learner.refresh_from_db()
    assert learner.timezone == "America/New_York"
    assert api_client.get("/api/v1/me").json()["timezone"] == "America/New_York"


def test_a_change_asks_the_planner_to_look_again(api_client, learner):
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=None)
    patch(api_client, {"weekends": True})
    learner.refresh_from_db()
    assert learner.next_nudge_check_at is not None


def test_quiet_hours_may_wrap_midnight_and_windows_may_touch_them(api_client):
    body = {
        "quiet_hours": {"start": "21:00", "end": "07:00"},
        "windows": [
            {"days": [0], "start": "07:00", "end": "07:30"},
            {"days": [0], "start": "20:30", "end": "21:00"},
        ],
    }
    assert patch(api_client, body).status_code == 200
    # Quiet hours within one day work too.
    body = {
        "quiet_hours": {"start": "00:30", "end": "06:00"},
        "windows": [{"days": [6], "start": "22:00", "end": "23:59"}],
    }
    assert patch(api_client, body).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"quiet_hours": {"start": "24:00", "end": "08:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "21:00", "end": "8:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "21:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "21:00", "end": "21:00"}}, "quiet_hours"),
        ({"windows": [{"days": [7], "start": "08:00", "end": "08:40"}]}, "windows.0.days.0"),
        ({"windows": [{"days": [], "start": "08:00", "end": "08:40"}]}, "windows.0.days"),
        ({"windows": [{"days": [0], "start": "09:00", "end": "08:40"}]}, "windows.0.end"),
        ({"windows": [{"days": [0], "start": "09:00", "end": "09:00"}]}, "windows.0.end"),
        # 07:30–08:30 runs into quiet hours (21:00–08:00, kept from the defaults).
        (
            {
                "windows": [
                    {"days": [0], "start": "12:00", "end": "12:30"},
                    {"days": [1], "start": "07:30", "end": "08:30"},
                ]
            },
            "windows.1",
        ),
        ({"windows": [{"days": [0], "start": "22:00", "end": "23:00"}]}, "windows.0"),
        ({"daily_cap": 11}, "daily_cap"),
        ({"daily_cap": -1}, "daily_cap"),
        ({"daily_cap": "3"}, "daily_cap"),
        ({"weekends": "yes"}, "weekends"),
        ({"nudges_enabled": None}, "nudges_enabled"),
        ({"nudge_cap": 3}, "nudge_cap"),
        # Quiet hours that would swallow a kept window (the default 08:00–08:40).
        ({"quiet_hours": {"start": "20:00", "end": "09:00"}}, "quiet_hours"),
    ],
)
def test_an_invalid_value_is_422_naming_the_field(api_client, learner, body, field):
    before = api_client.get(URL).json()
    response = patch(api_client, body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert api_client.get(URL).json() == before


def test_nothing_changes_when_one_of_several_values_is_invalid(api_client, learner):
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=None)
    response = patch(api_client, {"daily_cap": 4, "timezone": "Europe/Nowhere", "weekends": True})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "timezone",
            "message": "“Europe/Nowhere” is not an IANA time zone (e.g. Europe/Berlin).",
        }
    ]
    assert api_client.get(URL).json() == DEFAULTS
    learner.refresh_from_db()
    assert (learner.timezone, learner.next_nudge_check_at) == ("Europe/London", None)


def test_each_window_error_is_named(api_client):
    windows = [
        {"days": [0], "start": "08:00", "end": "08:40"},
        {"days": [2], "start": "12:30", "end": "12:00"},
        {"days": [1], "start": "13:00", "end": "12:00"},
    ]
    response = patch(api_client, {"windows": windows})
    assert [e["field"] for e in response.json()["errors"]] == ["windows.1.end", "windows.2.end"]


def test_preferences_are_each_learners_own(api_client, learner):
    other = LearnerFactory()
    other_client = token_client(other.user)
    patch(api_client, {"daily_cap": 7, "timezone": "Asia/Tokyo"})
    assert other_client.get(URL).json() == DEFAULTS
    assert Learner.objects.get(pk=other.pk).timezone == "Europe/London"


def test_preferences_need_a_signed_in_learner(db):
    assert Client().get(URL).status_code == 401
    assert Client().patch(URL, {"daily_cap": 1}, content_type="application/json").status_code == 401
    # A user with no learner profile (an author, say) has no preferences.
    author = token_client(UserFactory(username="author"))
    assert author.get(URL).status_code == 404
    assert patch(author, {"daily_cap": 1}).status_code == 404
