"""Invitations and password links, through a real SMTP server on loopback: what is sent to whom,
what the message holds, and what a link is good for (once, until it expires)."""

import datetime
import time

import pytest
from django.utils import timezone
from wagtail.models import APIToken

from cms.errors import Invalid
from learning.people.invitations import (
    SKIP_INACTIVE,
    SKIP_NO_EMAIL,
    SKIP_NOT_SENT,
    send_invitations,
    send_password_reset,
    set_password_from_link,
)
from tests.factories import LearnerFactory, UserFactory, newcomer
from tests.smtp_server import body, link_params, links

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
NEW_PASSWORD = "kettle-harbour-violet-29"


def test_an_invitation_reaches_the_person_with_text_and_html_and_both_links(smtp_server):
    dana = newcomer(email="dana@brightwave.example")

    report = send_invitations([dana], now=NOW)

    assert report.sent == [dana]
    assert report.skipped == []
    [message] = smtp_server.messages
    assert message["To"] == "dana@brightwave.example"
    assert message["Subject"] == "You're invited to Micromoments"
    assert "no-reply@localhost" in message["From"]
    text, html = body(message, "plain"), body(message, "html")
    assert "Hello Dana," in text
    assert "Hello Dana," in html
    assert "Your username is dana." in text
    assert "The link works once, for 7 days. Use it before 10 December 2026." in text
    app_link, web_link = links(message)
    assert app_link.startswith("micromoments://set-password?uid=")
    assert web_link.startswith("http://127.0.0.1:8000/set-password/?uid=")
    assert link_params(app_link) == link_params(web_link)
    # The HTML part carries the same links, escaped as HTML must be.
    assert app_link.replace("&", "&amp;") in html
    assert web_link.replace("&", "&amp;") in html


def test_the_link_from_the_email_sets_the_password_once_and_records_the_first_sign_in(
    smtp_server,
):
    dana = newcomer(email="dana@brightwave.example")
    send_invitations([dana], now=NOW)
    params = link_params(links(smtp_server.messages[0])[0])

    user = set_password_from_link(params["uid"], params["token"], NEW_PASSWORD, now=NOW)

    assert user == dana
    dana.refresh_from_db()
    assert dana.last_login == NOW
    assert dana.check_password(NEW_PASSWORD)
    with pytest.raises(Invalid) as refused:
        set_password_from_link(params["uid"], params["token"], "another-" + NEW_PASSWORD, now=NOW)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("token", "This link has expired or has already been used: ask for a new one.")
    ]
    dana.refresh_from_db()
    assert dana.check_password(NEW_PASSWORD)


def test_people_who_cannot_be_reached_or_cannot_sign_in_are_skipped_with_the_reason(smtp_server):
    dana = newcomer(email="dana@brightwave.example")
    no_email = newcomer("noemail", email="")
    gone = newcomer("gone", email="gone@brightwave.example", is_active=False)
    signed_in = UserFactory(username="old-hand", last_login=NOW)  # invited all the same

    report = send_invitations([dana, no_email, gone, signed_in, dana], now=NOW)

    assert report.sent == [dana, signed_in]
    assert report.skipped == [(no_email, SKIP_NO_EMAIL), (gone, SKIP_INACTIVE)]
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "dana@brightwave.example",
        "old-hand@example.com",
    ]


def test_a_batch_goes_over_one_smtp_connection(smtp_server):
    people = [newcomer(f"new{i}", email=f"new{i}@brightwave.example") for i in range(3)]

    send_invitations(people, now=NOW)

    assert len(smtp_server.messages) == 3
    assert smtp_server.sessions == 1


def test_a_refused_address_is_reported_and_the_others_still_get_theirs(smtp_server):
    dana = newcomer(email="dana@brightwave.example")
    bounced = newcomer("bounced", email="bounced@brightwave.example")
    smtp_server.refuse.add("bounced@brightwave.example")

    report = send_invitations([bounced, dana], now=NOW)

    assert report.sent == [dana]
    assert report.skipped == [(bounced, SKIP_NOT_SENT)]
    assert [m["To"] for m in smtp_server.messages] == ["dana@brightwave.example"]


def test_an_unreachable_mail_server_skips_everyone_and_says_so(smtp_server, settings):
    dana = newcomer(email="dana@brightwave.example")
    settings.EMAIL_PORT = _closed_port()

    report = send_invitations([dana], now=NOW)

    assert report.sent == []
    assert report.skipped == [(dana, SKIP_NOT_SENT)]


def test_the_invitation_speaks_the_learners_language(smtp_server):
    dana = newcomer(email="dana@brightwave.example")
    LearnerFactory(user=dana, locale="fr")

    send_invitations([dana], now=NOW)

    # No French catalogue yet: the message is rendered under French (the dates say so).
    assert "décembre" in body(smtp_server.messages[0], "plain")


def test_a_password_link_goes_to_every_active_account_with_the_address_in_any_case(smtp_server):
    first = UserFactory(username="sam", email="Sam@Brightwave.example")
    second = UserFactory(username="sam-admin", email="sam@brightwave.example")
    UserFactory(username="sam-old", email="sam@brightwave.example", is_active=False)

    send_password_reset("SAM@brightwave.EXAMPLE", now=NOW)

    # To the address as stored, each with its own link.
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "Sam@Brightwave.example",
        "sam@brightwave.example",
    ]
    assert {m["Subject"] for m in smtp_server.messages} == {"Set a new password for Micromoments"}
    uids = {link_params(links(m)[0])["uid"] for m in smtp_server.messages}
    assert len(uids) == 2
    for message in smtp_server.messages:
        params = link_params(links(message)[0])
        set_password_from_link(params["uid"], params["token"], NEW_PASSWORD, now=NOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.check_password(NEW_PASSWORD)
    assert second.check_password(NEW_PASSWORD)


def test_an_unknown_address_sends_nothing(smtp_server):
    UserFactory(username="sam", email="sam@brightwave.example")

    send_password_reset("nobody@brightwave.example", now=NOW)
    send_password_reset("  ", now=NOW)

    assert smtp_server.messages == []


def test_a_link_expires_after_the_password_reset_timeout(smtp_server, settings):
    settings.PASSWORD_RESET_TIMEOUT = 1
    dana = newcomer(email="dana@brightwave.example")
    send_invitations([dana], now=NOW)
    params = link_params(links(smtp_server.messages[0])[0])

    time.sleep(2.1)  # Django's tokens count whole seconds

    with pytest.raises(Invalid) as refused:
        set_password_from_link(params["uid"], params["token"], NEW_PASSWORD, now=NOW)
    assert refused.value.errors[0].field == "token"
    dana.refresh_from_db()
    assert not dana.has_usable_password()


def test_a_weak_password_is_refused_naming_the_field_and_leaves_the_link_usable(smtp_server):
    dana = newcomer(email="dana@brightwave.example")
    send_invitations([dana], now=NOW)
    params = link_params(links(smtp_server.messages[0])[0])

    with pytest.raises(Invalid) as refused:
        set_password_from_link(params["uid"], params["token"], "dana", now=NOW)

    fields = {e.field for e in refused.value.errors}
    assert fields == {"password"}
    messages = " ".join(e.message for e in refused.value.errors)
    assert "too short" in messages
    assert "too similar" in messages
    set_password_from_link(params["uid"], params["token"], NEW_PASSWORD, now=NOW)


def test_setting_the_password_signs_the_app_out_everywhere(smtp_server):
    dana = UserFactory(username="dana", email="dana@brightwave.example")
    APIToken.objects.create(user=dana, name="phone", key_hash="x" * 64, prefix="p" * 16)
    send_password_reset("dana@brightwave.example", now=NOW)
    params = link_params(links(smtp_server.messages[0])[0])

    set_password_from_link(params["uid"], params["token"], NEW_PASSWORD, now=NOW)

    assert not APIToken.objects.filter(user=dana, revoked_at__isnull=True).exists()


@pytest.mark.parametrize("uid", ["", "!!", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODk", "LTE", "AA"])
def test_a_uid_that_names_nobody_is_refused_as_a_bad_link(uid):
    with pytest.raises(Invalid) as refused:
        set_password_from_link(uid, "abc-def", NEW_PASSWORD, now=timezone.now())
    assert refused.value.errors[0].field == "uid"


def test_a_link_of_a_deactivated_person_is_refused(smtp_server):
    dana = newcomer(email="dana@brightwave.example")
    send_invitations([dana], now=NOW)
    params = link_params(links(smtp_server.messages[0])[0])
    dana.is_active = False
    dana.save()

    with pytest.raises(Invalid) as refused:
        set_password_from_link(params["uid"], params["token"], NEW_PASSWORD, now=NOW)
    assert refused.value.errors[0].field == "token"


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nobody listens


# --- The admins' "Send invitation" -----------------------------------------------------------------


def staff(username="hr", *perms):
    from django.contrib.auth.models import Permission

    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="auth", codename__in=perms)
    )
    for codename in perms:
        assert user.has_perm(f"auth.{codename}")
    return user


def test_the_django_admin_action_invites_the_selected_people_and_says_who_was_skipped(
    client, smtp_server
):
    client.force_login(staff("hr", "view_user", "change_user"))
    dana = newcomer(email="dana@brightwave.example")
    no_email = newcomer("noemail", email="")

    response = client.post(
        "/django-admin/auth/user/",
        {"action": "send_invitation", "_selected_action": [dana.pk, no_email.pk]},
        follow=True,
    )

    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "Invitation sent to 1 person.",
        "Not sent to 1 person: noemail (no email address).",
    ]
    assert [m["To"] for m in smtp_server.messages] == ["dana@brightwave.example"]


def test_the_django_admin_action_needs_the_change_user_permission(client, smtp_server):
    client.force_login(staff("viewer", "view_user"))
    dana = newcomer(email="dana@brightwave.example")

    page = client.get("/django-admin/auth/user/")
    response = client.post(
        "/django-admin/auth/user/",
        {"action": "send_invitation", "_selected_action": [dana.pk]},
    )

    assert page.status_code == 200
    assert "send_invitation" not in page.content.decode()
    assert response.status_code == 200  # the list again, with "No action selected"
    assert smtp_server.messages == []


def test_the_wagtail_bulk_action_confirms_then_invites(client, smtp_server):
    hr = staff("hr", "change_user")
    hr.user_permissions.add(_wagtail_admin_access())
    client.force_login(hr)
    dana = newcomer(email="dana@brightwave.example")
    gone = newcomer("gone", email="gone@brightwave.example", is_active=False)
    url = f"/cms/bulk/auth/user/send_invitation/?next=/cms/users/&id={dana.pk}&id={gone.pk}"

    listing = client.get("/cms/users/")
    confirm = client.get(url)
    done = client.post(url, follow=True)

    assert "/cms/bulk/auth/user/send_invitation/" in listing.content.decode()
    assert confirm.status_code == 200
    assert "Send invitations to 2 users" in confirm.content.decode()
    assert done.status_code == 200
    # Wagtail's messages carry their buttons' markup after the text.
    assert [str(m).strip() for m in done.context["messages"]] == [
        "Not sent to 1 person: gone (inactive).",
        "Invitation sent to 1 person.",
    ]
    assert [m["To"] for m in smtp_server.messages] == ["dana@brightwave.example"]


def test_the_wagtail_bulk_action_sends_nothing_without_the_change_user_permission(
    client, smtp_server
):
    editor = staff("editor", "add_user")
    editor.user_permissions.add(_wagtail_admin_access())
    client.force_login(editor)
    dana = newcomer(email="dana@brightwave.example")
    url = f"/cms/bulk/auth/user/send_invitation/?next=/cms/users/&id={dana.pk}"

    confirm = client.get(url)
    client.post(url)

    assert "You don't have permission to invite this user" in confirm.content.decode()
    assert smtp_server.messages == []


def _wagtail_admin_access():
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


# --- The demo's newcomer ---------------------------------------------------------------------------


def test_the_demo_newcomer_is_invited_on_each_load_until_she_sets_a_password(
    demo, smtp_server, django_capture_on_commit_callbacks
):
    from learning.demo.learners import load_demo_learners
    from learning.models import Learner

    noor = Learner.objects.select_related("user").get(user__username="demo-newcomer")
    assert not noor.user.has_usable_password()
    assert noor.manager is None
    assert "demo-newcomer has no password yet and is sent an invitation" in demo

    with django_capture_on_commit_callbacks(execute=True):
        load_demo_learners(now=timezone.now())
    [invitation] = smtp_server.messages
    assert invitation["To"] == "demo-newcomer@brightwave.example"
    assert "Hello Noor," in body(invitation, "plain")
    params = link_params(links(invitation)[0])
    set_password_from_link(params["uid"], params["token"], NEW_PASSWORD, now=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        load_demo_learners(now=timezone.now())
    assert len(smtp_server.messages) == 1
    noor.user.refresh_from_db()
    assert noor.user.check_password(NEW_PASSWORD)  # a reload leaves her password alone
