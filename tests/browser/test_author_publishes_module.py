"""An author writes a module in the admin and submits it; a reviewer's approval puts it in the API."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from cms.demo.accounts import ensure_content_accounts
from cms.models import MicroModule, ModuleIndexPage
from tests.browser.conftest import sign_in

# live_server needs committed rows; serialized_rollback restores what migrations created (the
# library page, Wagtail's root and site) after each transactional test flushes the database.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Refunds in three steps"
SUMMARY = "Refund a duplicate payment without a second call."
PROMPT = "A customer paid twice for one order. What do you do first?"
RIGHT = "Refund the duplicate payment"
WRONG = "Ask them to call their bank"
EXPLANATION = "The duplicate is ours to return; the bank cannot reverse it for us."


@pytest.fixture
def library(live_server) -> ModuleIndexPage:
    ensure_content_accounts()  # as seed_demo does: demo-author (Authors), demo-reviewer (Reviewers)
    return ModuleIndexPage.objects.get()


@pytest.fixture
def author_page(page: Page, live_server, library) -> Page:
    return sign_in(page, base_url=live_server.url, username="demo-author")


def write_module(page: Page, *, base_url: str, library: ModuleIndexPage, correct: int | None):
    """Fill in a new module with one question; `correct` is the index of the right choice, if any."""
    page.goto(f"{base_url}/cms/pages/add/cms/micromodule/{library.pk}/")
    page.get_by_role("textbox", name="Title*", exact=True).fill(TITLE)
    page.get_by_role("textbox", name="Summary*", exact=True).fill(SUMMARY)

    page.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Question", exact=True).click()
    page.get_by_role("textbox", name="Prompt*", exact=True).fill(PROMPT)

    choice_texts = page.get_by_role("textbox", name="Text*", exact=True)
    expect(choice_texts.first).to_be_visible()
    # The list starts with one empty choice; the question needs at least two.
    while choice_texts.count() < 2:
        page.get_by_role("button", name="Add", exact=True).last.click()
    expect(choice_texts).to_have_count(2)
    choice_texts.nth(0).fill(RIGHT)
    choice_texts.nth(1).fill(WRONG)
    if correct is not None:
        page.get_by_role("checkbox", name="Correct").nth(correct).check()
    page.get_by_role("textbox", name="Explanation*", exact=True).fill(EXPLANATION)


def footer_action(page: Page, name: str) -> None:
    """Click one of the editor's footer actions that sit under "More actions"."""
    footer = page.get_by_role("navigation", name="Actions (footer)")
    footer.get_by_role("button", name="More actions").click()
    footer.get_by_role("button", name=name, exact=True).click()


def get_from_app(browser, live_server, api_client, path: str):
    """GET through the live server as the app calls it: a learner's bearer token, no admin session."""
    app = browser.new_context(
        base_url=live_server.url, extra_http_headers={"Authorization": f"Bearer {api_client.token}"}
    )
    try:
        response = app.request.get(path)
        return response.status, response.text()
    finally:
        app.close()


def test_an_author_submits_a_module_a_reviewer_approves_it_and_the_api_serves_it(
    author_page: Page, browser, live_server, library, api_client, screenshots_dir
):
    page = author_page
    write_module(page, base_url=live_server.url, library=library, correct=0)
    # Authors cannot publish modules: the footer offers the library's review instead.
    footer_action(page, "Submit to Module review")

    # Wagtail autosaves the new page as a draft once the form is valid enough; if that happened
    # before the click, the submission goes through the edit view and its message.
    submitted = re.compile(
        rf"Page '{TITLE}' (created and submitted|has been submitted) for moderation\."
    )
    expect(page.get_by_text(submitted)).to_be_visible()
    page.screenshot(path=screenshots_dir / "author-submits-module.png", animations="disabled")

    module = MicroModule.objects.get(title=TITLE)
    assert not module.live
    assert module.current_workflow_state.workflow.name == "Module review"
    status, _ = get_from_app(browser, live_server, api_client, f"/api/v1/modules/{module.pk}")
    assert status == 404
    status, listing = get_from_app(browser, live_server, api_client, "/api/v1/modules")
    assert status == 200
    assert module.pk not in [item["id"] for item in json.loads(listing)["items"]]

    # The reviewer signs in (same browser, the author's session dropped) and finds it waiting.
    page.context.clear_cookies()
    sign_in(page, base_url=live_server.url, username="demo-reviewer")
    waiting = page.locator("section", has=page.get_by_role("heading", name="Awaiting your review"))
    expect(waiting.get_by_text("Dana Author")).to_be_visible()  # who submitted it
    page.screenshot(
        path=screenshots_dir / "reviewer-dashboard.png", full_page=True, animations="disabled"
    )
    waiting.get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("textbox", name="Title*", exact=True)).to_have_value(TITLE)
    footer = page.get_by_role("navigation", name="Actions (footer)")
    footer.get_by_role("button", name="More actions").click()
    approve = footer.get_by_role("button", name="Approve and Publish", exact=True)
    expect(approve).to_be_visible()
    page.screenshot(
        path=screenshots_dir / "reviewer-approves.png", full_page=True, animations="disabled"
    )
    approve.click()
    expect(page.get_by_text(f"Page '{TITLE}' has been updated.")).to_be_visible()

    module.refresh_from_db()
    assert module.live
    assert not module.has_unpublished_changes
    assert module.get_parent().pk == library.pk
    assert module.live_revision.user.username == "demo-author"

    status, raw = get_from_app(browser, live_server, api_client, f"/api/v1/modules/{module.pk}")
    assert status == 200, raw
    served = json.loads(raw)
    assert served["title"] == TITLE
    assert served["summary"] == SUMMARY
    [block] = served["body"]
    assert block["type"] == "question"
    assert block["value"] == {"prompt": PROMPT, "choices": [RIGHT, WRONG], "multiple": False}
    assert "correct" not in raw  # the answer stays on the server
    _, listing = get_from_app(browser, live_server, api_client, "/api/v1/modules")
    assert module.pk in [item["id"] for item in json.loads(listing)["items"]]


def test_a_question_without_a_correct_choice_is_refused(
    author_page: Page, live_server, library, screenshots_dir
):
    write_module(author_page, base_url=live_server.url, library=library, correct=None)
    footer_action(author_page, "Submit to Module review")

    expect(
        author_page.get_by_text("The page could not be created due to validation errors.")
    ).to_be_visible()
    error = author_page.get_by_text("Mark at least one choice as correct.")
    expect(error).to_be_visible()
    error.scroll_into_view_if_needed()
    author_page.screenshot(
        path=screenshots_dir / "question_without_correct_choice.png", animations="disabled"
    )
    expect(author_page.get_by_text(re.compile(rf"Page '{TITLE}' .*submitted"))).to_have_count(0)
    # The check runs on drafts too, so not even an autosaved draft exists.
    assert not MicroModule.objects.filter(title=TITLE).exists()
