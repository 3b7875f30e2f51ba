"""An author writes and publishes a micro-module in the Wagtail admin; the app's API then serves it."""

import re

import pytest
from playwright.sync_api import Page, expect

from cms.demo.accounts import DEMO_PASSWORD, ensure_content_accounts
from cms.models import MicroModule, ModuleIndexPage

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
    ensure_content_accounts()  # as seed_demo does: `demo-author` in the Authors group
    return ModuleIndexPage.objects.get()


@pytest.fixture
def author_page(page: Page, live_server, library) -> Page:
    page.goto(f"{live_server.url}/cms/login/")
    page.get_by_label("Username").fill("demo-author")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/cms/")
    return page


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


def publish(page: Page) -> None:
    footer = page.get_by_role("navigation", name="Actions (footer)")
    footer.get_by_role("button", name="More actions").click()
    footer.get_by_role("button", name="Publish", exact=True).click()


def test_author_publishes_a_module_with_a_question_and_the_api_serves_it(
    author_page: Page, browser, live_server, library, api_client, screenshots_dir
):
    write_module(author_page, base_url=live_server.url, library=library, correct=0)
    publish(author_page)

    # Wagtail autosaves the new page as a draft once the form is valid enough; if that happened
    # before the click, Publish goes to the edit view and says "has been published" instead.
    published = re.compile(rf"Page '{TITLE}' (created and published|has been published)\.")
    expect(author_page.get_by_text(published)).to_be_visible()
    author_page.screenshot(
        path=screenshots_dir / "author_publishes_module.png", full_page=True, animations="disabled"
    )

    module = MicroModule.objects.get(title=TITLE)
    assert module.live
    assert not module.has_unpublished_changes
    assert module.get_parent().pk == library.pk

    # Through the live server, as the app calls it: a learner's bearer token, no admin session.
    app = browser.new_context(
        base_url=live_server.url, extra_http_headers={"Authorization": f"Bearer {api_client.token}"}
    )
    try:
        response = app.request.get(f"/api/v1/modules/{module.pk}")
        assert response.status == 200, response.text()
        served, raw = response.json(), response.text()
    finally:
        app.close()
    assert served["title"] == TITLE
    assert served["summary"] == SUMMARY
    [block] = served["body"]
    assert block["type"] == "question"
    assert block["value"] == {"prompt": PROMPT, "choices": [RIGHT, WRONG], "multiple": False}
    assert "correct" not in raw  # the answer stays on the server


def test_a_question_without_a_correct_choice_is_not_published(
    author_page: Page, live_server, library, screenshots_dir
):
    write_module(author_page, base_url=live_server.url, library=library, correct=None)
    publish(author_page)

    expect(
        author_page.get_by_text("The page could not be created due to validation errors.")
    ).to_be_visible()
    error = author_page.get_by_text("Mark at least one choice as correct.")
    expect(error).to_be_visible()
    error.scroll_into_view_if_needed()
    author_page.screenshot(
        path=screenshots_dir / "question_without_correct_choice.png", animations="disabled"
    )
    expect(author_page.get_by_text(re.compile(rf"Page '{TITLE}' .*published"))).to_have_count(0)
    # The check runs on drafts too, so not even an autosaved draft exists.
    assert not MicroModule.objects.filter(title=TITLE).exists()
