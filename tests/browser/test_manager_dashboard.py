"""A manager signs in to the admin on the demo data: the team panel on the home page, the team
view, and one report's page, where they confirm an on-the-job step."""

import re

import pytest
from playwright.sync_api import Page, expect

from learning.models import Activity, Confirmation, Learner
from tests.browser.conftest import sign_in

# live_server needs committed rows; serialized_rollback restores what migrations created.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def manager_page(page: Page, live_server, demo) -> Page:
    return sign_in(page, base_url=live_server.url, username="demo-manager")


def chart_labels(page: Page, selector: str) -> list[str]:
    return [el.get_attribute("aria-label") for el in page.locator(selector).all()]


def percent_of(style: str) -> float:
    return float(re.search(r"width:\s*([\d.]+)%", style).group(1))


def test_a_manager_follows_their_team_and_confirms_a_step(
    manager_page: Page, live_server, screenshots_dir
):
    page = manager_page
    reports = Learner.objects.filter(manager__username="demo-manager").count()
    assert reports == 5

    # Home: the team panel, with the team's mix drawn from real minutes.
    panel = page.locator("#my-team-section")
    expect(panel.get_by_role("heading", name="My team")).to_be_visible()
    expect(panel.get_by_text("Direct reports")).to_be_visible()
    expect(panel.locator("dd").first).to_have_text("5")
    [team_mix] = chart_labels(panel, ".mm-stacked")
    assert re.match(r"Team 70:20:10 mix: On the job \(70\) \d+%", team_mix), team_mix
    [team_onboarding] = chart_labels(panel, ".mm-progress")
    done, total = map(int, re.search(r"(\d+) of (\d+) done", team_onboarding).groups())
    assert 0 < done < total
    expect(panel.get_by_role("link", name="Jordan Reyes")).to_be_visible()  # drifting
    page.screenshot(
        path=screenshots_dir / "manager-home.png", full_page=True, animations="disabled"
    )

    # The team view: one row per report, each with a progress bar and a mix.
    panel.get_by_role("link", name="Open my team").click()
    page.wait_for_url(f"{live_server.url}/cms/team/")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(5)
    names = [rows.nth(i).locator("td.title").inner_text().strip() for i in range(5)]
    assert names == ["Lee Learner", "Chris Okafor", "Jordan Reyes", "Priya Shah", "Sam Starter"]
    jordan = rows.filter(has_text="Jordan Reyes")
    expect(jordan.get_by_text("Drifting")).to_be_visible()
    [jordan_onboarding] = chart_labels(jordan, ".mm-progress")
    assert re.search(r"[1-9]\d* overdue", jordan_onboarding), jordan_onboarding
    expect(rows.filter(has_text="Chris Okafor").get_by_text("Not onboarding")).to_be_visible()
    priya_mix = chart_labels(rows.filter(has_text="Priya Shah"), ".mm-stacked")[0]
    on_the_job = int(re.search(r"On the job \(70\) (\d+)%", priya_mix).group(1))
    assert on_the_job >= 70, priya_mix
    done_widths = [
        percent_of(el.get_attribute("style")) for el in page.locator(".mm-progress .mm-done").all()
    ]
    assert len(done_widths) == 4
    assert all(w > 0 for w in done_widths), done_widths
    expect(page.get_by_text(re.compile(r"\d+% → \d+%")).first).to_be_visible()
    page.screenshot(
        path=screenshots_dir / "manager-team.png", full_page=True, animations="disabled"
    )

    # One report: the timeline, and a step to confirm.
    rows.filter(has_text="Lee Learner").get_by_role("link", name="Lee Learner").click()
    lee = Learner.objects.get(user__username="demo-learner")
    page.wait_for_url(f"{live_server.url}/cms/team/{lee.pk}/")
    expect(page.get_by_role("heading", name="Customer support onboarding")).to_be_visible()
    waiting = Activity.objects.filter(learner=lee, confirmation=Confirmation.PENDING)
    waiting = waiting.filter(step__confirmed_by="manager")
    assert waiting.count() == 2
    confirm_buttons = page.get_by_role("button", name="Confirm")
    expect(confirm_buttons).to_have_count(2)
    confirm_buttons.first.click()
    expect(page.get_by_text(re.compile(r"Confirmed “.+”.*now counts as done"))).to_be_visible()
    expect(page.get_by_role("button", name="Confirm")).to_have_count(1)
    assert waiting.count() == 1
    assert Activity.objects.filter(
        learner=lee, confirmation=Confirmation.CONFIRMED, confirmed_by__username="demo-manager"
    ).exists()
    mix = chart_labels(page, ".mm-stacked")[0]
    assert re.match(r"70:20:10 mix: On the job \(70\) \d+%", mix), mix
    page.screenshot(
        path=screenshots_dir / "manager-person.png", full_page=True, animations="disabled"
    )


def test_a_manager_makes_a_colleague_the_buddy_who_then_confirms(manager_page: Page, live_server):
    page = manager_page
    jordan = Learner.objects.get(user__username="demo-learner3")
    page.goto(f"{live_server.url}/cms/team/{jordan.pk}/")
    form = page.locator("form.mm-buddy").first
    expect(form.get_by_text("No buddy: you confirm the buddy steps.")).to_be_visible()

    form.get_by_label("Buddy").fill("nobody@brightwave.example")
    form.get_by_role("button", name="Set buddy").click()
    expect(
        page.get_by_text("No active account has the email nobody@brightwave.example.")
    ).to_be_visible()

    page.locator("form.mm-buddy").first.get_by_label("Buddy").fill(
        "DEMO-LEARNER5@brightwave.example"
    )
    page.locator("form.mm-buddy").first.get_by_role("button", name="Set buddy").click()
    expect(
        page.get_by_text("Chris Okafor is now the buddy: they confirm the buddy steps.")
    ).to_be_visible()
    expect(
        page.locator("form.mm-buddy").first.get_by_text("Chris Okafor confirms the buddy steps.")
    ).to_be_visible()
    assert jordan.enrollments.filter(buddy__username="demo-learner5").exists()


def test_a_manager_ends_one_pause_and_sets_another(manager_page: Page, live_server):
    import datetime

    from learning.models import Pause

    page = manager_page
    priya = Learner.objects.get(user__username="demo-learner4")
    page.goto(f"{live_server.url}/cms/team/{priya.pk}/")
    expect(page.locator(".mm-pause").get_by_text("Annual leave")).to_be_visible()
    page.get_by_role("button", name="End the pause").click()
    expect(page.get_by_text("Priya Shah is back: the pause has ended.")).to_be_visible()
    assert not Pause.objects.filter(learner=priya).exists()  # it began today: nothing held

    sam = Learner.objects.get(user__username="demo-learner2")
    page.goto(f"{live_server.url}/cms/team/{sam.pk}/")
    today = sam.local_date(datetime.datetime.now(datetime.UTC))
    form = page.locator("form.mm-pause-form")
    form.get_by_label("Pause from").fill((today - datetime.timedelta(days=1)).isoformat())
    form.get_by_label("until").fill((today + datetime.timedelta(days=3)).isoformat())
    form.get_by_role("button", name="Pause").click()
    expect(page.get_by_text(re.compile("A pause cannot start in the past"))).to_be_visible()

    form = page.locator("form.mm-pause-form")
    form.get_by_label("Pause from").fill(today.isoformat())
    form.get_by_label("until").fill((today + datetime.timedelta(days=3)).isoformat())
    form.get_by_label("Reason").fill("Training course")
    form.get_by_role("button", name="Pause").click()
    expect(page.get_by_text(re.compile(r"Sam Starter is paused from"))).to_be_visible()
    expect(page.locator(".mm-pause").get_by_text("Training course")).to_be_visible()
    assert Pause.objects.get(learner=sam).reason == "Training course"
