"""/cms/analytics/nudges/: how nudges fare per kind and per window, and which tokens died, for authors.

The fixture's figures are worked out by hand in the comments beside each nudge.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nudges.analytics import nudge_analytics
from nudges.demo.history import EXPIRED_AT, FAILED_AT
from nudges.models import Delivery, Device, Nudge, OutboxMessage, Platform
from tests.factories import LearnerFactory, UserFactory
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

pytestmark = pytest.mark.django_db
URL = "/cms/analytics/nudges/"
MORNING, LUNCH = "08:00-08:40", "12:30-13:00"
K = Nudge.Kind
S = Nudge.State


def nudge(learner, kind, window, *, state=S.SENT, days_ago=0, opened=False, deliveries=()):
    """A nudge planned `days_ago` days (and an hour) ago, with what FCM answered per device."""
    planned = timezone.now() - datetime.timedelta(days=days_ago, hours=1)
    row = NudgeFactory(
        learner=learner,
        kind=kind,
        window=window,
        state=state,
        planned_for=planned,
        sent_at=planned if state == S.SENT else None,
        opened_at=planned + datetime.timedelta(minutes=5) if opened else None,
    )
    for device, answer in deliveries:
        Delivery.objects.create(
            nudge=row,
            device=device,
            state=answer,
            message_id=f"projects/p/messages/{row.pk}-{device.pk}" if answer == "sent" else "",
            error_code={"sent": "", "failed": "QUOTA_EXCEEDED"}.get(answer, "UNREGISTERED"),
        )
    return row


def unregistered(device, *, days_ago):
    """FCM said UNREGISTERED for `device` `days_ago` days ago; the sender deactivated it."""
    row = nudge(device.user.learner, K.PRACTICE_DUE, MORNING, days_ago=days_ago)
    Delivery.objects.filter(nudge=row).delete()
    delivery = Delivery.objects.create(
        nudge=row, device=device, state="unregistered", error_code="UNREGISTERED"
    )
    Delivery.objects.filter(pk=delivery.pk).update(created_at=row.planned_for)
    Device.objects.filter(pk=device.pk).update(active=False, deactivated_reason="UNREGISTERED")


@pytest.fixture
def history():
    learner = LearnerFactory(user__username="lee")
    phone = DeviceFactory(user=learner.user, platform=Platform.ANDROID)
    tablet = DeviceFactory(user=learner.user, platform=Platform.IOS)
    ok, fail, gone = "sent", "failed", "unregistered"
    # practice_due: sent 4, delivered 4, opened 3 (75%) in 30 days; 3, 3, 2 in 7 days.
    nudge(learner, K.PRACTICE_DUE, MORNING, opened=True, deliveries=[(phone, ok)])
    nudge(learner, K.PRACTICE_DUE, MORNING, deliveries=[(phone, ok)])
    nudge(learner, K.PRACTICE_DUE, LUNCH, opened=True, deliveries=[(phone, ok)])
    nudge(learner, K.PRACTICE_DUE, MORNING, days_ago=10, opened=True, deliveries=[(phone, ok)])
    # step_unlocked: sent 2, delivered 1 (two devices count once), opened 0, failed 1.
    nudge(learner, K.STEP_UNLOCKED, LUNCH, deliveries=[(phone, ok), (tablet, gone)])
    nudge(learner, K.STEP_UNLOCKED, LUNCH, state=S.FAILED, deliveries=[(phone, fail)])
    # deadline: never sent: one expired, one failed with no device; no open rate.
    nudge(learner, K.DEADLINE, MORNING, state=S.EXPIRED)
    nudge(learner, K.DEADLINE, "", state=S.FAILED)
    # Outside every period, or not due yet: counted nowhere.
    nudge(learner, K.PRACTICE_DUE, MORNING, days_ago=40, opened=True, deliveries=[(phone, ok)])
    nudge(learner, K.REENGAGE, LUNCH, state=S.PLANNED, days_ago=-2)
    # Unregistered tokens: the tablet today (above), an Android 10 days ago, a web one 40 days ago.
    Delivery.objects.filter(device=tablet).update(created_at=timezone.now())
    other = LearnerFactory(user__username="sam")
    unregistered(DeviceFactory(user=other.user, platform=Platform.ANDROID), days_ago=10)
    unregistered(DeviceFactory(user=other.user, platform=Platform.WEB), days_ago=40)
    return learner


def by_label(figures):
    return {
        f.label: (f.sent, f.delivered, f.opened, f.open_rate, f.failed, f.expired) for f in figures
    }


def test_figures_per_kind_and_window_over_the_last_30_days(history):
    analytics = nudge_analytics(now=timezone.now(), days=30)
    # The step_unlocked nudge to two devices and the unregistered() helpers' nudges add up too:
    # two more practice_due nudges (10 and 40 days ago); only the one 10 days ago is in the period,
    # sent and delivered to nobody (its only delivery is the UNREGISTERED one).
    assert by_label(analytics.by_kind) == {
        "Practice due": (5, 4, 3, 75.0, 0, 0),
        "Journey step unlocked": (2, 1, 0, 0.0, 1, 0),
        "Deadline tomorrow": (0, 0, 0, None, 1, 1),
        "Re-engage a drifting learner": (0, 0, 0, None, 0, 0),
        "Manager's weekly digest": (0, 0, 0, None, 0, 0),
        "A step waits for the buddy's confirmation": (0, 0, 0, None, 0, 0),
        "A moment to celebrate": (0, 0, 0, None, 0, 0),
    }
    assert by_label(analytics.by_window) == {
        MORNING: (4, 3, 2, 66.7, 0, 1),
        LUNCH: (3, 2, 1, 50.0, 1, 0),
        "No window": (0, 0, 0, None, 1, 0),
    }
    assert by_label([analytics.total]) == {"All nudges": (7, 5, 3, 60.0, 2, 1)}
    assert analytics.unregistered.total == 2
    assert analytics.unregistered.by_platform == [("iOS", 1), ("Android", 1), ("Web", 0)]
    # Weeks counted back from today: 7, 7, 7, 7 and the oldest 2 days.
    assert [b.devices for b in analytics.unregistered.trend] == [0, 0, 0, 1, 1]


def test_a_shorter_period_leaves_older_nudges_and_tokens_out(history):
    analytics = nudge_analytics(now=timezone.now(), days=7)
    assert by_label(analytics.by_kind)["Practice due"] == (3, 3, 2, 66.7, 0, 0)
    assert by_label([analytics.total]) == {"All nudges": (5, 4, 2, 50.0, 2, 1)}
    assert analytics.unregistered.by_platform == [("iOS", 1), ("Android", 0), ("Web", 0)]
    assert [b.devices for b in analytics.unregistered.trend] == [0, 0, 0, 0, 0, 0, 1]


def test_authors_see_charts_and_the_table(author_client, history):
    response = author_client.get(URL)
    assert response.status_code == 200
    rows = {(r.group, r.label): r for r in response.context["object_list"]}
    assert rows[("Kind", "Practice due")].open_rate == 75.0
    assert rows[("Window", LUNCH)].delivered == 2
    html = response.content.decode()
    assert 'aria-label="Open rate per kind"' in html
    assert "75% (3 of 4)" in html  # the practice_due bar's caption
    assert "66.7% (2 of 3)" in html  # the morning window's
    assert 'aria-label="Unregistered tokens per platform"' in html
    assert "FCM does not tell us whether the phone showed it" in html


def test_the_period_filter_changes_the_figures(author_client, history):
    response = author_client.get(URL, {"period": "7"})
    rows = {(r.group, r.label): r for r in response.context["object_list"]}
    assert rows[("All", "All nudges")].sent == 5
    assert response.context["analytics"].days == 7
    fragment = author_client.get(URL + "results/", {"period": "90"})
    # Back in: the nudge 40 days ago, and the one whose push to a web device was UNREGISTERED.
    assert fragment.context["analytics"].total.sent == 9


def test_the_table_exports_to_csv(author_client, history):
    response = author_client.get(URL, {"export": "csv"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "By,Kind or window,Sent,Delivered,Opened,Open rate (%),Failed,Expired unsent"
    assert lines[1] == "All,All nudges,7,5,3,60.0,2,1"
    assert "Kind,Practice due,5,4,3,75.0,0,0" in lines
    assert "Kind,Deadline tomorrow,0,0,0,,1,1" in lines
    assert f"Window,{LUNCH},3,2,1,50.0,1,0" in lines


def test_the_table_exports_to_xlsx(author_client, history):
    response = author_client.get(URL, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('nudge-analytics.xlsx"')


def test_a_superuser_may_look(client, history, library):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(URL).status_code == 200


def test_a_manager_is_refused(client, history, library):
    manager = UserFactory(username="manager")
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(manager)
    # Wagtail turns the refusal into a redirect to the dashboard, with a message; XHR gets 403.
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/cms/"
    assert client.get(URL, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    assert client.get(URL, {"export": "csv"}).status_code == 302


def test_a_learner_without_admin_access_and_anonymous_go_to_sign_in(client, history, library):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/cms/login/")
    client.force_login(history.user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/cms/login/")


def test_authors_have_the_reports_menu_item(author_client, history, client):
    assert URL in author_client.get("/cms/").content.decode()


def test_the_query_count_does_not_grow_with_the_rows(author_client, history):
    author_client.get(URL)  # warm caches (content types, site) outside the measurement
    with CaptureQueriesContext(connection) as few:
        assert author_client.get(URL).status_code == 200
    learner = LearnerFactory(user__username="many")
    phone = DeviceFactory(user=learner.user)
    for i in range(30):
        kind = [K.REENGAGE, K.WEEKLY_DIGEST, K.PRACTICE_DUE][i % 3]
        nudge(
            learner,
            kind,
            f"{7 + i % 3:02d}:00-{7 + i % 3:02d}:30",
            opened=i % 2 == 0,
            days_ago=i % 20,
            deliveries=[(phone, "sent")],
        )
    for i in range(5):
        unregistered(DeviceFactory(user=learner.user), days_ago=i)
    with CaptureQueriesContext(connection) as many:
        assert author_client.get(URL).status_code == 200
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as figures:
        nudge_analytics(now=timezone.now(), days=30)
    assert len(figures) == 2


@pytest.fixture
def seeded(demo):
    """What seed_demo leaves, copied from the run's one seed (tests/demo_snapshot.py)."""


def counts():
    return {
        model.__name__: model.objects.count() for model in (Nudge, Delivery, Device, OutboxMessage)
    } | {"inactive": Device.objects.filter(active=False).count()}


def test_the_demo_history_gives_every_chart_something_and_loads_once(seeded):
    first = counts()
    call_command("seed_demo", "--i-know-this-creates-known-passwords", verbosity=0)
    assert counts() == first
    analytics = nudge_analytics(now=timezone.now(), days=30)
    assert analytics.total.sent > 30
    assert 0 < analytics.total.opened < analytics.total.delivered
    # demo-learner's, demo-learner2's and demo-learner5's (the manager's history is too short).
    assert analytics.total.failed == 3 * len(FAILED_AT)
    assert analytics.total.expired == 3 * len(EXPIRED_AT)
    assert all(f.sent for f in analytics.by_kind)  # every kind has history
    rates = {f.label: f.open_rate for f in analytics.by_window}
    assert rates["08:00-08:40"] > rates["12:30-13:00"] > rates["17:30-18:10"]
    # demo-learner's old iPhone (9 days ago), demo-learner2's old Android (20 days ago).
    assert analytics.unregistered.by_platform == [("iOS", 1), ("Android", 1), ("Web", 0)]
    assert sum(b.devices for b in analytics.unregistered.trend) == 2
    assert Device.objects.filter(active=False, deactivated_reason="UNREGISTERED").count() == 2
    assert OutboxMessage.objects.count() == Delivery.objects.filter(state="sent").count()
