"""An author reads the practice calibration report in the admin after a weekly fit; a manager is
refused it."""

import datetime
import re
import uuid
import zoneinfo

import pytest
from django.contrib.auth.models import Group, User
from django.utils import dateformat, timezone
from playwright.sync_api import Page, expect

from cms.demo.accounts import DEMO_PASSWORD
from cms.models import ChangeEvent
from cms.roles import AUTHORS
from learning.models import Card, Learner, Review, SchedulerParameters
from learning.people.roles import MANAGERS
from learning.practice import calibration
from tests.browser.conftest import sign_in
from tests.factories import UserFactory, publish_module, question
from tests.learning.fsrs_log import generated_histories

# live_server needs committed rows; serialized_rollback restores what migrations created.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEARNERS, CARDS_EACH = 30, 20  # the first half of them answer the event's cards
URL = "/cms/practice/calibration/"


@pytest.fixture
def fits(live_server, library, settings) -> list[SchedulerParameters]:
    """A generated review log (about 5,000 answers) stored as the app stores answers, and the
    weekly fit run on it: the workforce's set, then the event's own, judged against it."""
    settings.PRACTICE_FIT_MIN_REVIEWS = 1000
    settings.PRACTICE_FIT_MIN_LEARNERS = LEARNERS // 2
    boss = UserFactory(username="mo-manager", password=DEMO_PASSWORD)
    boss.groups.add(Group.objects.get(name=MANAGERS))
    module = publish_module(
        title="Tariffs", body=[question("Which tariff?", [("A", True), ("B", False)])]
    )
    event = ChangeEvent.objects.create(name="Tariff rollout", kind="software_rollout")
    users = User.objects.bulk_create(User(username=f"fit-{i}") for i in range(LEARNERS))
    learners = Learner.objects.bulk_create(
        Learner(user=u, manager=boss, timezone="Asia/Tokyo") for u in users
    )
    histories = generated_histories(cards=LEARNERS * CARDS_EACH, days=120, seed=2)
    cards = Card.objects.bulk_create(
        Card(
            learner=learners[n // CARDS_EACH],
            module=module,
            block_id=f"q{n % CARDS_EACH}",
            event=event if n < len(histories) // 2 else None,
            due=timezone.now(),
            answer_fingerprint="-",
        )
        for n in range(len(histories))
    )
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    Review.objects.bulk_create(
        (
            Review(
                card=card,
                learner=card.learner,
                client_id=uuid.uuid4(),
                answered_at=datetime.datetime.combine(on, datetime.time(20, 0), tokyo),
                rating=rating,
                response_ms=8000,
            )
            for card, history in zip(cards, histories, strict=True)
            for on, rating in history.reviews
        ),
        batch_size=5000,
    )
    return calibration.fit_all(now=timezone.now())


@pytest.fixture
def author_page(fits, page: Page, live_server) -> Page:
    author = UserFactory(username="lena-author", password=DEMO_PASSWORD)
    author.groups.add(Group.objects.get(name=AUTHORS))
    return sign_in(page, base_url=live_server.url, username="lena-author")


def bin_labels(fit: SchedulerParameters, which: str) -> list[str]:
    tenths = [round(10 * b["low"]) for b in fit.calibration[which]]
    return [f"predicted {10 * t}–{10 * t + 10}%" for t in tenths]


def bar_shares(chart) -> list[float]:
    """Each bar's width as a share of its track, as the author sees it."""
    shares = []
    for row in chart.locator(".mm-bar-row").all():
        bar, track = (
            row.locator(".mm-segment").bounding_box(),
            row.locator(".mm-track").bounding_box(),
        )
        shares.append(bar["width"] / track["width"])
    return shares


def local(moment: datetime.datetime, format: str) -> str:
    return dateformat.format(timezone.localtime(moment), format)


def test_an_author_reads_how_well_the_fitted_scheduler_predicts_recall_and_a_manager_may_not(
    author_page: Page, fits, live_server, screenshots_dir
):
    workforce, for_event = fits
    # The workforce's set beat fsrs's defaults; the event's own was no better than the workforce's.
    assert workforce.event is None
    assert workforce.adopted
    assert for_event.event.name == "Tariff rollout"
    assert not for_event.adopted
    page = author_page
    page.get_by_role("button", name="Reports").click()
    page.locator("#wagtail-sidebar").get_by_role("link", name="Practice calibration").click()
    page.wait_for_url(f"{live_server.url}{URL}")
    expect(page.get_by_role("heading", name="Practice calibration", level=1)).to_be_visible()
    # The header names the report, not just "Home".
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text(
        "Practice calibration"
    )
    expect(page.get_by_text("Last fit:")).to_have_text(
        f"Last fit: {local(for_event.fitted_at, 'j M Y H:i')}"
    )

    # The whole workforce: its figures before and after, and recall per tenth of the prediction.
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name="The whole workforce")
    )
    figures = section.locator(".mm-figures li")
    expect(figures).to_have_text(
        [
            f"{workforce.log_loss:.4f} log loss, fitted (before {workforce.previous_log_loss:.4f})",
            f"{workforce.rmse_bins:.4f} RMSE over bins, fitted "
            f"(before {workforce.previous_rmse_bins:.4f})",
            f"{workforce.review_count} reviews from {LEARNERS} learners",
            f"adopted {local(workforce.fitted_at, 'j M Y')}",
        ]
    )
    assert workforce.log_loss < workforce.previous_log_loss
    fitted = section.get_by_role(
        "img", name="Share recalled per tenth of predicted recall, fitted set"
    )
    expect(fitted.locator(".mm-bar-label")).to_have_text(bin_labels(workforce, "fitted"))
    expect(fitted.locator(".mm-bar-label")).to_contain_text(["predicted 80–90%"])
    expect(fitted).to_contain_text(re.compile(r"\d+% recalled, \d+% predicted \([\d,]+ reviews\)"))
    # A bar is as long as the share recalled in its bin (100% a full track), and none is empty.
    shares = bar_shares(fitted)
    actual = [b["actual"] for b in workforce.calibration["fitted"]]
    assert all(share > 0 for share in shares)
    assert shares == pytest.approx(actual, abs=0.02)
    before = section.get_by_role(
        "img", name="Share recalled per tenth of predicted recall, set before"
    )
    expect(before.locator(".mm-bar-label")).to_have_text(bin_labels(workforce, "previous"))
    assert all(share > 0 for share in bar_shares(before))
    expect(section.get_by_text("fsrs's default parameters, on the same answers.")).to_be_visible()

    # The event's fit, judged against the workforce's set: kept, not adopted.
    event_section = page.locator("section").filter(
        has=page.get_by_role("heading", name="Tariff rollout")
    )
    expect(event_section.locator(".mm-figures li").last).to_have_text(
        f"not adopted {local(for_event.fitted_at, 'j M Y')}"
    )
    expect(
        event_section.get_by_text(
            f"The set adopted {local(workforce.fitted_at, 'j M Y')}, on the same answers."
        )
    ).to_be_visible()
    expect(
        event_section.get_by_role(
            "img", name="Share recalled per tenth of predicted recall, fitted set"
        ).locator(".mm-bar-row")
    ).to_have_count(len(for_event.calibration["fitted"]))

    # Every fit, adopted or not.
    expect(page.get_by_role("heading", name="Every fit")).to_be_visible()
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(
        [
            local(workforce.fitted_at, "j M Y H:i"),
            "Workforce",
            str(workforce.review_count),
            str(LEARNERS),
            f"{workforce.log_loss:.4f} ({workforce.previous_log_loss:.4f})",
            f"{workforce.rmse_bins:.4f} ({workforce.previous_rmse_bins:.4f})",
            "yes",
            re.compile(r"^\d+\.\d$"),
        ]
    )
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("Tariff rollout")
    expect(rows.nth(1).locator("td").nth(6)).to_have_text("no")
    expect(page.locator("body")).not_to_contain_text("fit-0")  # aggregates only, no learner

    # The admin scrolls inside its own pane: grow the window so the screenshot holds everything.
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('body, body *')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1400, "height": max(1000, height + 80)})
    page.screenshot(
        path=screenshots_dir / "author-calibration.png", full_page=True, animations="disabled"
    )
    page.set_viewport_size({"width": 1400, "height": 1000})

    # A manager gets into the admin, but has no Reports menu (none of its reports is theirs), and
    # the address typed in sends them back home, refused; a request from script gets a 403.
    page.context.clear_cookies()
    sign_in(page, base_url=live_server.url, username="mo-manager")
    sidebar = page.locator("#wagtail-sidebar")
    expect(sidebar.get_by_role("link", name="My team")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Reports")).to_have_count(0)
    page.goto(f"{live_server.url}{URL}")
    page.wait_for_url(f"{live_server.url}/cms/")
    expect(
        page.get_by_text("Sorry, you do not have permission to access this area.")
    ).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("The whole workforce")
    from_script = page.request.get(
        f"{live_server.url}{URL}", headers={"X-Requested-With": "XMLHttpRequest"}
    )
    assert from_script.status == 403
