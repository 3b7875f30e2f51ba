"""An author previews a module in the editor and sees it as the app shows it, at phone width; the admin
asks no other host for anything on the way (issue 10)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cms.models import MicroModule

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SLUG = "smart-tariff-flex-whats-changing"  # the demo's first launch module: a video, two questions, a takeaway
PROMPT = "What is the most a half hour of electricity can cost on Smart Tariff Flex?"
CHOICES = ("There is no maximum", "60p per kWh", "The same as the standard rate")
TAKEAWAY = "Flex: a price every half hour, known the day before, capped at 60p"
PHONE = {"width": 390, "height": 844}


def outside_requests(page: Page, live_url: str) -> list[str]:
    """Every http(s) request the page makes from now on to a host other than the live server."""
    ours = urlsplit(live_url).netloc
    seen: list[str] = []
    page.on(
        "request",
        lambda request: (
            seen.append(request.url)
            if request.url.startswith("http") and urlsplit(request.url).netloc != ours
            else None
        ),
    )
    return seen


def test_an_author_previews_a_module_at_phone_width(
    demo_author_page: Page, live_server, screenshots_dir
):
    page = demo_author_page
    outside = outside_requests(page, live_server.url)
    module = MicroModule.objects.get(slug=SLUG)

    page.goto(f"{live_server.url}/cms/")
    expect(page.get_by_role("heading", name="Your modules: what needs attention")).to_be_visible()
    expect(page.get_by_role("heading", name="Moments of pain")).to_be_visible()
    page.screenshot(path=screenshots_dir / "author-home.png", full_page=True)

    page.goto(f"{live_server.url}/cms/pages/{module.pk}/edit/")
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", name=module.title)).to_be_visible()
    expect(preview.get_by_text(PROMPT)).to_be_visible()
    for choice in CHOICES:
        expect(preview.get_by_role("listitem").filter(has_text=choice).first).to_be_visible()
    expect(preview.get_by_text(TAKEAWAY)).to_be_visible()
    # The right answer only after a reveal.
    answer = preview.locator("details.mm-answer").first
    expect(answer.get_by_text("✓ 60p per kWh")).to_be_hidden()
    answer.get_by_text("Show the answer").click()
    expect(answer.get_by_text("✓ 60p per kWh")).to_be_visible()
    page.screenshot(path=screenshots_dir / "module-preview-panel.png")

    # The preview's own URL, on a phone: the column fills it and nothing is wider than the screen.
    phone = page.context.new_page()
    phone.set_viewport_size(PHONE)
    phone.goto(f"{live_server.url}/cms/pages/{module.pk}/edit/preview/?mode=")
    expect(phone.get_by_text(PROMPT)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    column = phone.locator("main.mm-phone").bounding_box()
    assert column["width"] <= 420
    phone.screenshot(path=screenshots_dir / "module-preview.png", full_page=True)
    phone.close()

    assert outside == []


def test_the_live_module_is_a_centred_column_on_a_wide_screen(page: Page, live_server, demo):
    module = MicroModule.objects.get(slug=SLUG)
    outside = outside_requests(page, live_server.url)
    page.goto(f"{live_server.url}{module.url}")
    expect(page.get_by_text(PROMPT)).to_be_visible()
    expect(page.get_by_text("Show the answer")).to_have_count(0)  # a visitor without the admin
    column = page.locator("main.mm-phone").bounding_box()
    viewport = page.viewport_size
    assert 380 <= column["width"] <= 420
    assert abs((column["x"] + column["width"] / 2) - viewport["width"] / 2) <= 2
    assert outside == []
