"""The quick-start's path on SQLite: `make run`'s steps, then a learner's and a manager's day through the API.

The suite runs on PostgreSQL, so this runs the real commands in subprocesses on a fresh SQLite file
under a temporary var directory, without Redis, as `make run` does (migrate, seed_demo, then
run_nudges_once for what the worker's beat would do), and then tests/quickstart_day.py, whose
summary the tests below read. About a minute of CPU on a quiet machine, most of it migrate and
seed_demo.
"""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.migrated_state import keep_migrated_sqlite

REPO = Path(__file__).resolve().parents[1]

# Each step well under a minute on a quiet machine; the bound is for a busy 2-core one, so that a
# hang fails the run instead of stalling it.
STEP_TIMEOUT = 300


def _run(args: list[str], env: dict, step: str) -> str:
    run = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    assert run.returncode == 0, (
        f"{step} failed on SQLite ({run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
    )
    return run.stdout


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    var = tmp_path_factory.mktemp("quickstart")
    database = var / "q.sqlite3"
    # Nothing of the test run's environment leaks in: no Redis (the filesystem broker and cache
    # under var/), no settings module or broker chosen for the suite.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{database}",
        "MICROMOMENTS_VAR_DIR": str(var),
        "DJANGO_DEBUG": "1",
    }
    out = {"migrate": _run(["manage.py", "migrate", "--noinput"], env, "migrate")}
    keep_migrated_sqlite(database)  # for the SQLite tests that need a migrated file, not migrate
    out |= {
        "seed_demo": _run(["manage.py", "seed_demo"], env, "seed_demo"),
        "run_nudges_once": _run(["manage.py", "run_nudges_once"], env, "run_nudges_once"),
    }
    summary_path = var / "day.json"
    _run(["-m", "tests.quickstart_day", str(summary_path)], env, "the day through the API")
    out["day"] = json.loads(summary_path.read_text())
    out["database"] = database
    return out


def test_the_steps_of_make_run_work_on_a_fresh_sqlite_file(quickstart):
    assert quickstart["database"].stat().st_size > 0
    assert "Demo ready." in quickstart["seed_demo"]
    planned = re.search(r"Planned (\d+) nudges for (\d+) learners", quickstart["run_nudges_once"])
    assert planned, quickstart["run_nudges_once"][-2000:]
    assert int(planned[1]) > 0
    # What is sent now depends on the hour: nudges wait for the learners' next dead-time window.
    # The pass must reach the sending step either way, on SQLite and the filesystem broker.
    sent = re.search(r"Sent: (\d+) nudges? due in (\d+) batch(es)?", quickstart["run_nudges_once"])
    assert sent, quickstart["run_nudges_once"][-2000:]


def test_every_call_of_the_day_answers_as_the_app_expects(quickstart):
    learner, manager = quickstart["day"]["learner"], quickstart["day"]["manager"]
    assert [call for call, _ in learner["calls"]] == [
        "POST /auth/token",
        "GET /me",
        "GET /me/today?minutes=5",
        "GET /journeys",
        "GET /reviews/due?limit=50",
        "POST /reviews",
        "GET /reviews/due?limit=50",
        "GET /me/today?minutes=5",
        "GET /me/progress",
        f"GET /modules/{learner['module']['id']}",
        "POST /events",
        "GET /me/progress",
        "GET /search?q=refund",
    ]
    assert {status for _, status in learner["calls"] + manager["calls"]} == {200}


def test_the_learner_is_the_demos_lee_with_a_feed_and_journeys(quickstart):
    learner = quickstart["day"]["learner"]
    assert learner["me"]["username"] == "demo-learner"
    assert learner["me"]["is_manager"] is False
    assert learner["me"]["manager"]["name"] == "Morgan Manager"
    assert learner["today"]["keys"] == [
        "celebrations",
        "date",
        "message",
        "minutes",
        "modules",
        "nothing_fits",
        "plan",
        "planned_minutes",
        "practice",
        "steps",
    ]
    # Lee has overdue steps and due cards: something fits in five minutes.
    today = learner["today"]
    assert today["plan"] > 0
    assert (today["nothing_fits"], 0 < today["planned_minutes"] <= 5) == (False, True)
    events = [journey["event"] for journey in learner["journeys"]]
    assert "Customer support onboarding" in events
    assert all(journey["steps_total"] > 0 for journey in learner["journeys"])


def test_answering_a_due_card_schedules_it_later(quickstart):
    review = quickstart["day"]["learner"]["review"]
    today = quickstart["day"]["learner"]["today"]
    assert review["due_before"] > 0
    assert review["replayed"] is False
    assert review["rating_applied"] == 3
    assert review["next_due_after_answer"] is True
    assert review["answered_card_still_due"] is False
    assert review["due_after"] == review["due_before"] - 1
    assert today["practice_due_after_answer"] == today["practice_due"] - 1


def test_a_completed_module_counts_in_progress_and_the_streak(quickstart):
    learner = quickstart["day"]["learner"]
    assert [result["status"] for result in learner["events"]] == ["accepted"]
    before, after = learner["progress_before"], learner["progress_after"]
    assert after["steps_done"] == before["steps_done"] + 1
    assert after["mix"] == before["mix"] + 5
    assert after["active_today"] is True


def test_search_finds_the_refund_module_and_task(quickstart):
    results = quickstart["day"]["learner"]["search"]
    modules = [title for kind, title in results if kind == "module"]
    assert modules[0] == "Processing a refund in three steps"
    assert ["job_task", "Process a refund"] in results


def test_the_manager_sees_the_team_and_lees_activity_of_a_moment_ago(quickstart):
    manager = quickstart["day"]["manager"]
    assert manager["team"] == [
        "demo-learner",
        "demo-learner2",
        "demo-learner3",
        "demo-learner4",
        "demo-learner5",
    ]
    assert manager["drifting"] == ["demo-learner3"]
    last_active = datetime.datetime.fromisoformat(manager["lee_last_active"])
    assert datetime.datetime.now(datetime.UTC) - last_active < datetime.timedelta(minutes=10)
