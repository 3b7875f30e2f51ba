"""A learner's and a manager's day through the API, on the quick-start's database after `seed_demo`.

`python -m tests.quickstart_day OUT.json` (DATABASE_URL naming the SQLite file that `make run`'s
steps migrated, seeded and nudged) signs in as the demo people with their password, walks the
endpoints the app uses in a day and writes what it saw to OUT.json; tests/test_quickstart_sqlite.py
runs it, since the suite itself runs on PostgreSQL. Only the API is used, as the app would.
"""

import datetime
import json
import os
import sys
import uuid

PASSWORD = "micromoments"  # what seed_demo prints for every demo person


class Day:
    """A signed-in person's client, recording each call's status (a step that fails says why)."""

    def __init__(self, client, username: str):
        self.client = client
        self.calls: list[list] = []
        response = self.client.post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD, "device_name": "quick-start test"},
            content_type="application/json",
        )
        self.calls.append(["POST /auth/token", response.status_code])
        self._check(response, "POST /auth/token", 200)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    def _check(self, response, call: str, expected: int) -> None:
        if response.status_code != expected:
            # The rest of the day depends on this call: stop here with the server's answer.
            raise SystemExit(
                f"{call}: {response.status_code}, expected {expected}: "
                f"{response.content[:2000].decode(errors='replace')}"
            )

    def get(self, path: str, params: dict | None = None, expected: int = 200):
        response = self.client.get(f"/api/v1{path}", params or {}, **self.headers)
        call = f"GET {path}" + (
            f"?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else ""
        )
        self.calls.append([call, response.status_code])
        self._check(response, call, expected)
        return response.json()

    def post(self, path: str, body: dict, expected: int = 200):
        response = self.client.post(
            f"/api/v1{path}", body, content_type="application/json", **self.headers
        )
        self.calls.append([f"POST {path}", response.status_code])
        self._check(response, f"POST {path}", expected)
        return response.json()


def learners_day(client) -> dict:
    day = Day(client, "demo-learner")
    now = datetime.datetime.now(datetime.UTC)
    me = day.get("/me")
    today = day.get("/me/today", {"minutes": 5})
    journeys = day.get("/journeys")
    due_cards = day.get("/reviews/due", {"limit": 50})

    card = due_cards[0]
    answer = day.post(
        "/reviews",
        {
            "card_id": card["card_id"],
            "client_id": str(uuid.uuid4()),
            "answered_at": now.isoformat(),
            "rating": 3,
            "response_ms": 4200,
        },
    )
    due_after_cards = day.get("/reviews/due", {"limit": 50})
    today_after = day.get("/me/today", {"minutes": 5})

    before = day.get("/me/progress")
    # A live module of one of Lee's journeys that Lee has not finished yet: completing it must show.
    open_steps = [
        step
        for journey in journeys["items"]
        for step in journey["steps"]
        if step["module_id"] and step["state"] in ("available", "overdue")
    ]
    step = open_steps[0]
    module = day.get(f"/modules/{step['module_id']}")
    events = day.post(
        "/events",
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "module_completed",
                    "occurred_at": now.isoformat(),
                    "module_id": step["module_id"],
                    "minutes": 5,
                }
            ]
        },
    )
    after = day.get("/me/progress")
    search = day.get("/search", {"q": "refund"})
    return {
        "calls": day.calls,
        "me": {
            "username": me["username"],
            "is_manager": me["is_manager"],
            "manager": me["manager"],
        },
        "today": {
            "date": today["date"],
            "keys": sorted(today),
            "practice_due": today["practice"]["due"],
            "practice_due_after_answer": today_after["practice"]["due"],
            "steps": len(today["steps"]),
            "plan": len(today["plan"]),
            "planned_minutes": today["planned_minutes"],
            "nothing_fits": today["nothing_fits"],
        },
        "journeys": [
            {"event": j["event"]["name"], "steps_total": j["steps_total"]}
            for j in journeys["items"]
        ],
        "review": {
            "due_before": len(due_cards),
            "due_after": len(due_after_cards),
            "answered_card_still_due": card["card_id"] in [c["card_id"] for c in due_after_cards],
            "next_due_after_answer": datetime.datetime.fromisoformat(answer["next_due"]) > now,
            "replayed": answer["replayed"],
            "rating_applied": answer["rating_applied"],
        },
        "module": {"id": module["id"], "title": module["title"], "step": step["title"]},
        "events": events["results"],
        "progress_before": {
            "steps_done": before["steps_done"],
            "mix": before["mix"]["total_minutes"],
        },
        "progress_after": {
            "steps_done": after["steps_done"],
            "mix": after["mix"]["total_minutes"],
            "active_today": after["streak"]["active_today"],
        },
        "search": [[r["kind"], r["title"]] for r in search["results"]],
    }


def managers_day(client) -> dict:
    day = Day(client, "demo-manager")
    members = day.get("/manager/team")["items"]  # paginated, one page for a team of five
    lee = next(m for m in members if m["username"] == "demo-learner")
    return {
        # Lee's module_completed of a few seconds ago is what the manager sees as last active.
        "lee_last_active": lee["last_active"],
        "calls": day.calls,
        "team": sorted(m["username"] for m in members),
        "drifting": sorted(m["username"] for m in members if m["drifting"]),
    }


def main(out_path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    assert connection.vendor == "sqlite", "this run is for the SQLite quick-start database"
    summary = {"learner": learners_day(Client()), "manager": managers_day(Client())}
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=1)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
