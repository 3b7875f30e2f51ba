"""Search on SQLite (the quick-start): best match first, plain questions work, hostile text is no 500.

The suite runs on PostgreSQL, so one subprocess (tests/cms/search_corpus.py) migrates a fresh SQLite
file (a copy of one an earlier run migrated, where there is one), writes the demo-like corpus and
asks the API; the tests here read its answers. About 20 seconds of CPU when it migrates, nearly all
of it the migrations.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cms.search_corpus import HOSTILE
from tests.migrated_state import copy_migrated_sqlite

REPO = Path(__file__).resolve().parents[2]

REFUNDS = "Processing a refund in three steps"


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-search")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    # A migrated file kept by an earlier run, if there is one (search_corpus migrates what is left).
    copy_migrated_sqlite(folder / "x.sqlite3")
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'x.sqlite3'}",
        "MICROMOMENTS_VAR_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "backend.settings",
    }
    out = folder / "answers.json"
    run = subprocess.run(
        [sys.executable, "-m", "tests.cms.search_corpus", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(out.read_text())


def _modules(results):
    return [title for kind, title in results if kind == "module"]


def test_a_plain_question_finds_the_refund_module_first(answers):
    results = answers["search"]["how do I refund an order"]
    assert _modules(results)[0] == REFUNDS
    assert ["job_task", "Process a refund"] in results
    assert answers["modules"]["how do I refund an order"][0] == REFUNDS


def test_the_best_match_comes_first_not_last(answers):
    results = answers["search"]["refund"]
    assert _modules(results)[0] == REFUNDS
    assert len(_modules(results)) == 5
    assert ["job_task", "Process a refund"] in results[:2]
    assert answers["modules"]["refund"][0] == REFUNDS


def test_task_synonyms_find_the_task_first(answers):
    assert answers["search"]["give money back"][0] == ["job_task", "Process a refund"]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_text_is_searched_not_an_error(answers, q):
    assert answers["hostile"][q] == [200, 200]


def test_text_combines_with_the_event_and_job_task_filters(answers):
    assert answers["filtered"]["event"] == [200, REFUNDS, "Calming an angry customer"]
    assert answers["filtered"]["job_task"] == [200, REFUNDS]
