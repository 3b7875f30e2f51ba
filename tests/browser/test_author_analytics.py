"""Authors' analytics in Chromium, on the seeded demo: which modules hurt, and why."""

import pytest
from playwright.sync_api import Page, expect

# live_server needs committed rows; serialized_rollback restores what migrations created.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def full_page_screenshot(page: Page, path) -> None:
    # Wagtail's admin scrolls inside its own containers, not the document: grow the window to fit.
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('body, body *')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1400, "height": max(1000, height + 80)})
    page.screenshot(path=path, full_page=True, animations="disabled")
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_an_author_finds_the_modules_that_hurt_and_looks_at_one(
    demo_author_page: Page, live_server, screenshots_dir
):
    page = demo_author_page
    page.get_by_role("button", name="Reports").click()
    # The sidebar's Reports menu: the authors' home panel links to the report too.
    page.locator("#wagtail-sidebar").get_by_role("link", name="Module analytics").click()
    page.wait_for_url(f"{live_server.url}/cms/analytics/modules/")

    pain = page.locator(".mm-pain-list li")
    expect(pain.filter(has_text="Low rating")).not_to_have_count(0)
    expect(pain.filter(has_text="Drop-off")).not_to_have_count(0)
    expect(pain.filter(has_text="Wrong first time")).not_to_have_count(0)
    # The charts are drawn with data: bars with a width, not the empty placeholder.
    funnel = page.get_by_role("img", name="Learners per stage, all modules")
    expect(funnel.locator(".mm-bar-row")).to_have_count(3)
    assert funnel.locator(".mm-segment").first.evaluate("e => e.getBoundingClientRect().width") > 50
    completion = page.get_by_role("img", name="Share of starters who completed, per module")
    expect(completion.locator(".mm-bar-row").first).to_contain_text(
        "Troubleshooting an offline Dial"
    )
    expect(page.get_by_role("table").get_by_role("row")).not_to_have_count(1)
    full_page_screenshot(page, screenshots_dir / "author-modules.png")

    pain.filter(has_text="Wrong first time").first.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/cms/analytics/modules/*/")
    questions = page.get_by_role("img", name="Share right at the first try, per question")
    expect(questions.locator(".mm-bar-row")).not_to_have_count(0)
    expect(page.get_by_role("heading", name="Moments of pain")).to_be_visible()
    expect(page.locator(".mm-comments li").first).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("demo-cohort")  # no learner appears
    full_page_screenshot(page, screenshots_dir / "author-module-detail.png")
