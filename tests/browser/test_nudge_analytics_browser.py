"""An author opens the nudge analytics and the push outbox in the admin, with seed_demo's history."""

import re

import pytest
from playwright.sync_api import Page, expect

from nudges.models import Nudge, OutboxMessage

# live_server needs committed rows; serialized_rollback restores what migrations created.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def bar_widths(chart) -> list[float]:
    return [box["width"] for box in (s.bounding_box() for s in chart.locator(".mm-segment").all())]


def test_an_author_reads_the_nudge_charts_and_the_outbox(
    demo_author_page: Page, live_server, screenshots_dir
):
    page = demo_author_page
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Nudge analytics").click()
    page.wait_for_url(f"{live_server.url}/cms/analytics/nudges/")

    by_kind = page.get_by_role("img", name="Open rate per kind")
    expect(by_kind.locator(".mm-bar-row")).to_have_count(len(Nudge.Kind))
    expect(by_kind).to_contain_text(re.compile(r"\d+% \(\d+ of \d+\)"))
    assert all(width > 0 for width in bar_widths(by_kind))  # every kind was opened sometimes
    by_window = page.get_by_role("img", name="Open rate per dead-time window")
    expect(by_window.locator(".mm-bar-row")).to_have_count(3)
    expect(by_window).to_contain_text("08:00-08:40")
    practice = page.get_by_role("img", name="Practice due", exact=True)
    sent, delivered, opened = bar_widths(practice)
    assert sent >= delivered > opened > 0
    platforms = page.get_by_role("img", name="Unregistered tokens per platform")
    expect(platforms.locator(".mm-bar-value")).to_have_text(["1", "1", "0"])
    expect(page.get_by_text("FCM does not tell us whether the phone showed it")).to_be_visible()
    expect(page.locator("#listing-results table")).to_contain_text("All nudges")
    # The admin scrolls inside its own pane, so full_page alone would stop at the viewport.
    page.set_viewport_size({"width": 1400, "height": 1700})
    page.screenshot(
        path=screenshots_dir / "author-nudges.png", full_page=True, animations="disabled"
    )
    page.set_viewport_size({"width": 1400, "height": 1000})

    # A shorter period, from the filters drawer: the charts refresh with the table.
    page.get_by_role("button", name="Show filters").click()
    page.get_by_role("button", name="Period").click()
    page.get_by_label("Period").select_option("7")
    page.wait_for_url(re.compile(r"period=7"))
    expect(
        page.get_by_role("img", name="Unregistered tokens over time").locator(".mm-bar-row")
    ).to_have_count(7)

    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Push outbox").click()
    page.wait_for_url(f"{live_server.url}/cms/reports/push-outbox/")
    newest = OutboxMessage.objects.order_by("-created_at", "-pk").first()
    rows = page.locator("#listing-results table tbody tr")
    expect(rows).to_have_count(20)  # the first page of the demo's pushes
    expect(rows.first).to_contain_text(newest.payload["notification"]["title"])
    expect(page.get_by_role("link", name=re.compile("Add"))).to_have_count(0)
    page.screenshot(
        path=screenshots_dir / "author-outbox.png", full_page=True, animations="disabled"
    )
