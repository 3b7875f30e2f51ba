"""An author signs in to the admin with single sign-on, in Chromium, through the loopback OpenID
Connect provider: the button beside the password form, the provider, back on the dashboard. A
learner who tries the same gets Wagtail's "no permission" and no admin."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from tests.factories import LearnerFactory, UserFactory
from tests.oidc_provider import OidcProvider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ADMIN, SECRET = "micromoments-admin", "admin-secret-for-tests"


@pytest.fixture
def provider(settings):
    with OidcProvider(clients={ADMIN: SECRET}).running() as running:
        settings.OIDC_ISSUER = running.issuer
        settings.OIDC_RP_CLIENT_ID = ADMIN
        settings.OIDC_RP_CLIENT_SECRET = SECRET
        yield running


def test_an_author_signs_in_to_the_dashboard_with_single_sign_on(page: Page, live_server, provider):
    author = UserFactory(username="ada", email="ada@example.com", first_name="Ada")
    author.groups.add(Group.objects.get(name="Authors"))
    provider.person = {"email": "ada@example.com", "email_verified": True}

    page.goto(f"{live_server.url}/cms/login/")
    expect(page.get_by_label("Password")).to_be_visible()
    page.get_by_role("link", name="Sign in with single sign-on").click()

    page.wait_for_url(f"{live_server.url}/cms/")
    expect(page).to_have_title(re.compile("Dashboard"))
    assert "/authorize" in provider.requests
    assert "/token" in provider.requests
    cookies = {c["name"] for c in page.context.cookies()}
    assert "sessionid" in cookies


def test_a_learner_does_not_get_into_the_admin_by_single_sign_on(page: Page, live_server, provider):
    LearnerFactory(user__username="dana", user__email="dana@example.com")
    provider.person = {"email": "dana@example.com", "email_verified": True}

    page.goto(f"{live_server.url}/cms/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()

    page.wait_for_url(f"{live_server.url}/cms/login/")
    expect(page.get_by_text("You do not have permission to access the admin")).to_be_visible()
    page.goto(f"{live_server.url}/cms/")
    page.wait_for_url(re.compile(r"/cms/login/"))
    expect(page.get_by_label("Password")).to_be_visible()
