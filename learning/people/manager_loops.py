"""Manager loops an import would make: A reports to B and B to A, or longer, closing through the
file's rows or through accounts the file does not name (their managers read from the database)."""

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.db import connection

_Node = str | int  # an email the file names, else an account's pk (someone outside the file)


def manager_loops(
    *, managers_in_file: Mapping[str, str], accounts: Mapping[str, tuple[int, int | None]]
) -> list[list[str]]:
    """The loops that run through at least one row of the file once it is written.

    `managers_in_file`: every row to be written, email → its manager's email ("" for none).
    `accounts`: the existing accounts the file names (people and managers), email → (pk, pk of
    their current manager or None); a row not written keeps its account's current manager.
    Each loop is a list of emails, each person managed by the next and the last by the first.
    Reads the database a level of the org chart at a time, whatever the number of rows.
    """
    node_of_pk = {pk: email for email, (pk, _) in accounts.items()}
    db_manager: dict[int, int | None] = dict(accounts.values())
    emails = _read_managers_beyond(db_manager)

    def manager_of(node: _Node) -> _Node | None:
        if isinstance(node, str) and node in managers_in_file:
            return managers_in_file[node] or None
        pk = accounts[node][0] if isinstance(node, str) and node in accounts else node
        manager_pk = db_manager.get(pk) if isinstance(pk, int) else None
        return None if manager_pk is None else node_of_pk.get(manager_pk, manager_pk)

    loops, seen = [], set()
    for start in managers_in_file:
        path: list[_Node] = []
        position: dict[_Node, int] = {}
        node: _Node | None = start
        # Everyone has one manager at most: follow the chain until it ends or comes back.
        while node is not None and node not in seen and node not in position:
            position[node] = len(path)
            path.append(node)
            node = manager_of(node)
        seen.update(path)
        if node is None or node not in position:
            continue
        loop = path[position[node] :]
        if any(n in managers_in_file for n in loop):  # else it was in the database already
            loops.append([n if isinstance(n, str) else emails.get(n, f"account {n}") for n in loop])
    return loops


def _read_managers_beyond(db_manager: dict[int, int | None]) -> dict[int, str]:
    """Follow the database's manager links until every link's end is in `db_manager` (which it
    fills in); returns the emails (or usernames) of the accounts read."""
    User = get_user_model()
    size = connection.features.max_query_params or 10_000
    emails: dict[int, str] = {}
    frontier = sorted({m for m in db_manager.values() if m is not None and m not in db_manager})
    while frontier:
        for start in range(0, len(frontier), size):
            rows = User.objects.filter(pk__in=frontier[start : start + size]).values_list(
                "pk", "email", "username", "learner__manager_id"
            )
            for pk, email, username, manager_pk in rows:
                db_manager[pk] = manager_pk
                emails[pk] = email.strip().lower() or username
        for pk in frontier:
            db_manager.setdefault(pk, None)  # deleted meanwhile: the chain ends there
        frontier = sorted({m for m in db_manager.values() if m is not None and m not in db_manager})
    return emails
