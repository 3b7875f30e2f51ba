"""A few demo-like modules for the search tests, and a run of those searches on a fresh SQLite database.

`python -m tests.cms.search_corpus OUT.json` (DATABASE_URL naming an empty SQLite file) migrates,
writes the corpus through the editor's code paths, asks the API and writes its answers to OUT.json;
tests/cms/test_search_sqlite.py runs it, since the suite itself runs on PostgreSQL.
"""

import datetime
import json
import os
import sys

# The refund module is written first: the lowest id, so neither "newest first" nor the backends'
# `-pk` tie-break can put it on top by accident.
MODULES = [
    (
        "refunds",
        "Processing a refund in three steps",
        "Refund an order without asking a supervisor.",
        "<p>Open the order, choose Refund and pick the reason the customer gives. "
        "The money is back on their card in three to five days.</p>",
        ["Process a refund"],
    ),
    (
        "angry",
        "Calming an angry customer",
        "Listen, acknowledge, then act.",
        "<p>Let them finish. Say what you will do next: a callback, an engineer visit or, "
        "if their order went wrong, a refund.</p>",
        ["Handle an angry customer"],
    ),
    (
        "billing",
        "Updating billing details safely",
        "Change the card or bank account on an order without a slip.",
        "<p>Check who you are talking to first. Never read a card number back, and do not "
        "promise a refund for a failed payment.</p>",
        [],
    ),
    (
        "macros",
        "Using macros without sounding like a robot",
        "Save time on the answers you give every day.",
        "<p>There are macros for a refund, a password reset and where an order is; edit the "
        "first line so it sounds like you.</p>",
        [],
    ),
    (
        "escalate",
        "When and how to escalate a ticket",
        "Hand over what you cannot fix, with everything the next person needs.",
        "<p>Escalate when an order is stuck for three days or the customer asks for a refund "
        "you cannot approve.</p>",
        ["Escalate a ticket"],
    ),
]

TASKS = {
    "Process a refund": "give money back\nreimburse a customer",
    "Handle an angry customer": "complaint\nupset caller",
    "Escalate a ticket": "hand over\nsecond line",
}

QUESTIONS = ["how do I refund an order", "refund", "give money back"]

# Quotes, brackets, FTS5 and tsquery operators, a lone prefix star, non-Latin letters: each was, on
# one database or the other, a syntax error inside the full-text query (a 500) or could be.
HOSTILE = [
    '"flex',
    '")) OR (1=1',
    "refund*",
    "a AND",
    "NEAR(",
    "-",
    ":",
    "*",
    "'",
    "\\",
    "!refund & | :*",
    "title:refund",
    "^refund",
    "ünïcödé 退款 возврат",
    "how do I",
]


def create_corpus() -> dict:
    """The modules above, published under the library, their job tasks, and an event whose
    journey holds the refund module."""
    from cms.models import ChangeEvent, JourneyStep
    from tests.factories import JobTaskFactory, publish_module, text

    tasks = {
        name: JobTaskFactory(name=name, synonyms=synonyms, description="")
        for name, synonyms in TASKS.items()
    }
    corpus: dict = {"tasks": tasks}
    for key, title, summary, body, task_names in MODULES:
        corpus[key] = publish_module(
            title=title,
            summary=summary,
            body=[text(body)],
            job_tasks=[tasks[name] for name in task_names],
        )
    event = ChangeEvent.objects.create(
        name="Refunds policy change", kind="compliance", date=datetime.date(2026, 12, 1)
    )
    JourneyStep.objects.create(
        event=event, title="Learn refunds", kind="formal", module=corpus["refunds"]
    )
    JourneyStep.objects.create(
        event=event, title="Calm people down", kind="formal", module=corpus["angry"]
    )
    event.save_revision().publish()
    corpus["event"] = event
    return corpus


def ask(client, corpus: dict) -> dict:
    """What the API answers for the questions, the hostile texts and the combined filters."""
    refund_task = corpus["tasks"]["Process a refund"]
    answers: dict = {"search": {}, "modules": {}, "hostile": {}, "filtered": {}}
    for q in QUESTIONS:
        results = client.get("/api/v1/search", {"q": q}).json()["results"]
        answers["search"][q] = [[r["kind"], r["title"]] for r in results]
        items = client.get("/api/v1/modules", {"q": q}).json()["items"]
        answers["modules"][q] = [item["title"] for item in items]
    for q in HOSTILE:
        answers["hostile"][q] = [
            client.get(path, {"q": q}).status_code for path in ("/api/v1/search", "/api/v1/modules")
        ]
    for name, params in {
        "event": {"q": "refund", "event": corpus["event"].pk},
        "job_task": {"q": "refund", "job_task": refund_task.pk},
    }.items():
        response = client.get("/api/v1/modules", params)
        answers["filtered"][name] = [response.status_code] + [
            item["title"] for item in response.json().get("items", [])
        ]
    return answers


def main(out_path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    assert connection.vendor == "sqlite", "this run is for the SQLite quick-start database"
    setup_test_environment()  # the test client's host, "testserver", is allowed
    call_command("migrate", verbosity=0)

    from tests.factories import LearnerFactory, token_client

    corpus = create_corpus()
    client = token_client(LearnerFactory(user__username="sqlite-learner").user)
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(ask(client, corpus), out)


if __name__ == "__main__":
    main(sys.argv[1])
