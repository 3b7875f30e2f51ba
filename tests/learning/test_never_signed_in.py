"""The manager sees who has never signed in: `last_login` and `never_signed_in` on each report in
GET /manager/team and /manager/learners/{id}, and in My team in the admin."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from learning.people.roles import MANAGERS
from tests.factories import LearnerFactory, UserFactory, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(library):
    boss = UserFactory(username="boss")
    boss.groups.add(Group.objects.get(name=MANAGERS))
    new = LearnerFactory(user__username="new", user__last_name="New", manager=boss)
    old = LearnerFactory(user__username="old", user__last_name="Old", manager=boss)
    token_client(old.user)  # signs in on the app
    return {"boss": boss, "new": new, "old": old}


def test_the_team_says_who_never_signed_in(team):
    members = token_client(team["boss"]).get("/api/v1/manager/team").json()["items"]
    by_name = {m["username"]: m for m in members}
    assert by_name["new"]["never_signed_in"] is True
    assert by_name["new"]["last_login"] is None
    assert by_name["old"]["never_signed_in"] is False
    assert by_name["old"]["last_login"] is not None


def test_one_report_says_it_too(team):
    client = token_client(team["boss"])
    detail = client.get(f"/api/v1/manager/learners/{team['new'].pk}").json()
    assert (detail["never_signed_in"], detail["last_login"]) == (True, None)


def test_the_fields_are_documented_in_the_openapi(team):
    schema = Client().get("/api/v1/openapi.json").json()
    member = schema["components"]["schemas"]["TeamMemberOut"]["properties"]
    assert "never signed in" in member["last_login"]["description"]
    assert member["never_signed_in"]["type"] == "boolean"


def test_my_team_in_the_admin_shows_who_never_signed_in(team):
    client = Client()
    client.force_login(team["boss"])
    page = client.get("/cms/team/").content.decode()
    assert page.count("Never signed in") == 1
    detail = client.get(f"/cms/team/{team['new'].pk}/").content.decode()
    assert "Never signed in" in detail
    assert "Never signed in" not in client.get(f"/cms/team/{team['old'].pk}/").content.decode()
