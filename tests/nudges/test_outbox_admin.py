"""The push outbox in the admin (/cms/reports/push-outbox/): what the console backend would have
pushed, newest first, for authors to check the texts; nobody adds, edits or deletes there."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.permissions import policy_registry

from nudges.backends.console import ConsoleBackend
from nudges.models import Nudge, OutboxMessage, Platform
from nudges.sending import send
from tests.factories import LearnerFactory, UserFactory
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

pytestmark = pytest.mark.django_db
URL = "/cms/reports/push-outbox/"


@pytest.fixture
def outbox():
    """Three pushes through the real console backend: two older nudges, then a newer one."""
    learner = LearnerFactory(user__username="lee")
    DeviceFactory(user=learner.user, platform=Platform.IOS)
    now = timezone.now()
    older = [
        NudgeFactory(learner=learner, kind=Nudge.Kind.PRACTICE_DUE, title="3 questions on Refunds"),
        NudgeFactory(
            learner=learner, kind=Nudge.Kind.DEADLINE, title="Due tomorrow: Shadow a call"
        ),
    ]
    send([n.pk for n in older], now=now, backend=ConsoleBackend())
    newest = NudgeFactory(
        learner=learner, kind=Nudge.Kind.STEP_UNLOCKED, title="New step: Meet your buddy"
    )
    send([newest.pk], now=now, backend=ConsoleBackend())
    OutboxMessage.objects.filter(nudge__in=older).update(
        created_at=now - datetime.timedelta(hours=1)
    )
    return OutboxMessage.objects.get(nudge=newest)


def titles(response) -> list[str]:
    return [m.payload["notification"]["title"] for m in response.context["object_list"]]


def test_authors_see_what_would_have_been_pushed_newest_first(author_client, outbox):
    response = author_client.get(URL)
    assert response.status_code == 200
    assert titles(response)[0] == "New step: Meet your buddy"
    assert set(titles(response)[1:]) == {"3 questions on Refunds", "Due tomorrow: Shadow a call"}
    html = response.content.decode()
    assert f"iOS device {outbox.device_id}" in html
    assert "Journey step unlocked" in html
    assert f"{URL}inspect/{outbox.pk}/" in html  # the title opens the full payload
    assert f"{URL}new/" not in html
    assert f"{URL}edit/" not in html


def test_filter_by_kind_and_search_the_texts(author_client, outbox):
    assert titles(author_client.get(URL, {"kind": "deadline"})) == ["Due tomorrow: Shadow a call"]
    assert titles(author_client.get(URL, {"q": "refunds"})) == ["3 questions on Refunds"]
    assert titles(author_client.get(URL, {"platform": "android"})) == []


def test_the_inspect_view_shows_the_fcm_payload(author_client, outbox):
    response = author_client.get(f"{URL}inspect/{outbox.pk}/")
    assert response.status_code == 200
    assert "apns-collapse-id" in response.content.decode()


def test_there_is_no_add_edit_or_delete(author_client, outbox, client):
    for path in ("new/", f"edit/{outbox.pk}/", f"delete/{outbox.pk}/", f"copy/{outbox.pk}/"):
        assert author_client.get(URL + path).status_code == 404
        assert author_client.post(URL + path, {"address": "x"}).status_code == 404
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(URL).status_code == 200
    assert client.get(URL + "new/").status_code == 404
    assert OutboxMessage.objects.count() == 3


def test_django_permissions_cannot_grant_editing(client, outbox, library):
    """Even someone given every outbox permission in the groups editor can only look."""
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name="Authors"))
    editor.user_permissions.add(*Permission.objects.filter(content_type__model="outboxmessage"))
    client.force_login(editor)
    policy = policy_registry.get_by_type(OutboxMessage)
    assert policy.user_has_permission(editor, "view")
    assert not policy.user_has_any_permission(editor, ["add", "change", "delete"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["view"].get_add_url() is None
    assert response.context["view"].get_edit_url(outbox) is None


def test_a_manager_is_refused_and_the_anonymous_sign_in(client, outbox, library):
    assert client.get(URL)["Location"].startswith("/cms/login/")
    manager = UserFactory(username="manager")
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/cms/"  # Wagtail's "no permission" redirect
    assert client.get(URL, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    assert client.get(f"{URL}inspect/{outbox.pk}/").status_code == 302


def test_the_reports_menu_offers_it_to_authors_only(author_client, client, library):
    assert URL in author_client.get("/cms/").content.decode()
    manager = UserFactory(username="manager")
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(manager)
    assert URL not in client.get("/cms/").content.decode()


def test_the_listing_query_count_does_not_grow_with_the_rows(author_client, outbox):
    author_client.get(URL)
    with CaptureQueriesContext(connection) as few:
        author_client.get(URL)
    learner = LearnerFactory(user__username="many")
    DeviceFactory(user=learner.user)
    nudges = [NudgeFactory(learner=learner) for _ in range(12)]
    send([n.pk for n in nudges], now=timezone.now(), backend=ConsoleBackend())
    with CaptureQueriesContext(connection) as many:
        assert len(author_client.get(URL).context["object_list"]) == 15
    assert len(many) == len(few)


# --- Device addresses are masked: authors check texts, they never get a way to push to a phone ---

TOKEN = "dKx8T0kenQ:APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAE"
FID = "cR_2bCfM1Xz9QkLmNoPqRs"


@pytest.fixture
def addressed_outbox():
    """One push to a device with a registration token, one to a device with an installation id."""
    learner = LearnerFactory(user__username="kim")
    by_token = DeviceFactory(user=learner.user, fid=None, token=TOKEN, platform=Platform.ANDROID)
    DeviceFactory(user=learner.user, fid=FID, platform=Platform.IOS)
    send([NudgeFactory(learner=learner).pk], now=timezone.now(), backend=ConsoleBackend())
    return {
        "token": OutboxMessage.objects.get(address=TOKEN),
        "fid": OutboxMessage.objects.get(address=FID),
        "by_token": by_token,
    }


def test_the_inspect_view_masks_the_device_address_and_the_payloads_token(
    author_client, addressed_outbox
):
    for key, address in (("token", TOKEN), ("fid", FID)):
        message = addressed_outbox[key]
        assert message.payload[key] == address  # stored whole: the backend needs it
        html = author_client.get(f"{URL}inspect/{message.pk}/").content.decode()
        assert address not in html
        assert address[7:20] not in html  # nothing past the first six characters
        assert f"{address[:6]}…" in html
        assert f"&quot;{key}&quot;: &quot;{address[:6]}…&quot;" in html  # the payload's key
        assert "apns-collapse-id" in html  # the rest of the payload is there


def test_the_listing_masks_the_address_of_a_removed_device(author_client, addressed_outbox):
    addressed_outbox["by_token"].delete()  # the message keeps the address, not the device
    html = author_client.get(URL).content.decode()
    assert f"{TOKEN[:6]}… (removed)" in html
    assert TOKEN[:12] not in html
    assert FID not in html


def test_an_export_of_the_outbox_carries_no_address(author_client, addressed_outbox):
    for export in ("csv", "xlsx"):
        response = author_client.get(URL, {"export": export})
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert TOKEN[:12].encode() not in body
        assert FID[:12].encode() not in body
