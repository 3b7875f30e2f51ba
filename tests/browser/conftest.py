"""Headless Chromium for the admin tests: Debian's chromium driven by Playwright against live_server."""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API marks an event loop as running in the test thread, and Django refuses ORM
# calls from a thread with a running loop. The calls are still synchronous, so the guard is moot.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def browser(live_server):
    """One Chromium per test, started after the database and stopped before it is flushed.

    While Playwright's loop runs, Django hands the thread a separate connection (asgiref keeps
    connections per context under a running loop). pytest-django's set-up and flush must not run
    in that state, or serialized_rollback finds nothing to restore: hence function scope, and
    `live_server` first. The connections the test opened are closed here, or the test database
    could not be dropped at the end of the run.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}: run `make browser` "
            "(apt-get install chromium). Playwright's own browser download does not work here.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        connections.close_all()  # the test's own connections, which Django will not close


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so that `page` can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    path = Path(settings.BASE_DIR) / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(request, browser, screenshots_dir):
    """A fresh browser context; when the test fails, what the browser showed is kept beside it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    reports = [getattr(request.node, f"report_{when}", None) for when in ("setup", "call")]
    if any(report is not None and report.failed for report in reports):
        stem = screenshots_dir / f"failed-{request.node.name}"
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(f"<!-- {page.url} -->\n{page.content()}")
    context.close()


def sign_in(page, *, base_url: str, username: str):
    """Sign in to the Wagtail admin through its login form, as a person would."""
    from cms.demo.accounts import DEMO_PASSWORD

    page.goto(f"{base_url}/cms/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/cms/")
    return page


@pytest.fixture
def demo(live_server):
    """seed_demo's content, people and history, committed for the live server (a copy of the run's
    one seed: tests/demo_snapshot.py); the test's flush takes it away."""
    from tests.demo_snapshot import load_demo

    return load_demo()


@pytest.fixture
def demo_author_page(page, live_server, demo):
    return sign_in(page, base_url=live_server.url, username="demo-author")
