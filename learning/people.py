"""People from the HR export: check every row, then upsert users and learners in bulk and enrol them.

A file is imported in one transaction with a fixed number of queries whatever its length: one read of
every account the file names (people and managers), then batched inserts and updates.
"""

import datetime
import secrets
import zoneinfo
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from learning import journeys
from learning.models import Learner

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "role",
    "team",
    "manager_email",
    "start_date",
    "timezone",
)
BATCH_SIZE = 2000
LEARNER_FIELDS = ("role", "team", "manager_id", "start_date", "timezone")

# (done, total) in records written: accounts and learner profiles created or updated, rows unchanged.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PersonRow:
    """One line of the export as read, every value a string."""

    line: int
    email: str
    first_name: str = ""
    last_name: str = ""
    role: str = ""
    team: str = ""
    manager_email: str = ""
    start_date: str = ""
    timezone: str = ""
    # Set by the reader when the record did not split into the header's columns.
    parse_error: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    """Learners created (a new account, or an existing account's first profile), updated, unchanged."""

    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
    written: bool


def missing_columns(header: Sequence[str]) -> list[str]:
    return [name for name in COLUMNS if name not in header]


@dataclass
class _Person:
    """A row that passed its own checks, with what it resolves to."""

    row: PersonRow
    key: str
    start_date: datetime.date | None
    timezone: str
    manager_key: str
    account: object | None  # the existing user, if any
    reasons: list[str] = field(default_factory=list)


def import_people(
    rows: Sequence[PersonRow],
    *,
    today: datetime.date,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Upsert the people of an HR export by email and enrol the new and changed in matching events.

    With any invalid row nothing is written unless `skip_invalid`; then only the valid rows are, and a
    row whose manager is an invalid row is invalid too.
    """
    people, managers, errors = _check(rows)
    if errors and not skip_invalid:
        return ImportResult(0, 0, 0, errors, written=False)
    with transaction.atomic():
        created, updated, unchanged, learner_ids = _write(people, managers, progress=progress)
        if learner_ids:
            _enrol(learner_ids, today=today)
    return ImportResult(created, updated, unchanged, errors, written=True)


# --- Checking -------------------------------------------------------------------------------------


def _key(email: str) -> str:
    return email.strip().lower()


def _check(rows: Sequence[PersonRow]) -> tuple[list[_Person], dict[str, object], list[RowError]]:
    """The valid rows, the existing accounts of managers named outside the file, and the errors."""
    User = get_user_model()
    username_max = User._meta.get_field("username").max_length
    limits = {
        "first_name": User._meta.get_field("first_name").max_length,
        "last_name": User._meta.get_field("last_name").max_length,
        "role": Learner._meta.get_field("role").max_length,
        "team": Learner._meta.get_field("team").max_length,
    }
    zones = {name.lower(): name for name in zoneinfo.available_timezones()}

    lines_by_key: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if key := _key(row.email):
            lines_by_key[key].append(row.line)
    by_email, by_username = _accounts(
        set(lines_by_key) | {_key(r.manager_email) for r in rows if r.manager_email.strip()}
    )

    people: list[_Person] = []
    managers: dict[str, object] = {}
    for row in rows:
        key = _key(row.email)
        reasons = [row.parse_error] if row.parse_error else []
        account = None
        if not key:
            reasons.append("email is empty")
        else:
            try:
                validate_email(key)
            except ValidationError:
                reasons.append(f"email “{row.email.strip()}” is not a valid address")
            if len(key) > username_max:
                reasons.append(
                    f"email is longer than {username_max} characters (it becomes the username)"
                )
            if len(lines_by_key[key]) > 1:
                others = ", ".join(str(n) for n in lines_by_key[key] if n != row.line)
                reasons.append(f"email {key} is also on line {others} (duplicate in the file)")
            accounts = by_email.get(key, [])
            if len(accounts) > 1:
                reasons.append(f"{len(accounts)} existing accounts have the email {key}")
            elif accounts:
                account = accounts[0]
            elif key in by_username:
                reasons.append(f"the username {key} is taken by an account with another email")
        for name, limit in limits.items():
            if len(getattr(row, name).strip()) > limit:
                reasons.append(f"{name} is longer than {limit} characters")

        start_date = None
        if value := row.start_date.strip():
            try:
                start_date = datetime.date.fromisoformat(value)
            except ValueError:
                reasons.append(f"start_date “{value}” is not an ISO date (YYYY-MM-DD)")
        tz = row.timezone.strip()
        if not tz:
            reasons.append("timezone is empty")
        elif tz.lower() not in zones:
            reasons.append(f"timezone “{tz}” is not an IANA time zone (e.g. Europe/Berlin)")

        manager_key = _key(row.manager_email)
        if manager_key and key and manager_key == key:
            reasons.append("a person cannot be their own manager")
        elif manager_key and manager_key not in lines_by_key:
            found = by_email.get(manager_key, [])
            if not found:
                reasons.append(
                    f"unknown manager {manager_key} (neither in this file nor an existing account)"
                )
            elif len(found) > 1:
                reasons.append(
                    f"{len(found)} existing accounts have the manager email {manager_key}"
                )
            else:
                managers[manager_key] = found[0]
        people.append(
            _Person(row, key, start_date, zones.get(tz.lower(), tz), manager_key, account, reasons)
        )

    _invalidate_reports_of_invalid_managers(people)
    errors = [RowError(p.row.line, "; ".join(p.reasons)) for p in people if p.reasons]
    return [p for p in people if not p.reasons], managers, errors


def _invalidate_reports_of_invalid_managers(people: list[_Person]) -> None:
    """A report of an invalid row is invalid too (it would point at nobody), down the whole chain."""
    reports: dict[str, list[_Person]] = defaultdict(list)
    lines: dict[str, int] = {}
    for person in people:
        if person.manager_key:
            reports[person.manager_key].append(person)
        if person.key:
            lines.setdefault(person.key, person.row.line)
    queue = deque(p.key for p in people if p.reasons and p.key)
    while queue:
        manager_key = queue.popleft()
        for report in reports.pop(manager_key, []):
            if not report.reasons:
                report.reasons.append(
                    f"manager {manager_key} (line {lines[manager_key]}) is an invalid row"
                )
                queue.append(report.key)


def _accounts(keys: set[str]):
    """Existing users by lower-cased email (a list: emails are not unique) and by username, with
    their learner profiles: one query (or one per `max_query_params` keys where the database caps them)."""
    User = get_user_model()
    by_email: dict[str, list] = defaultdict(list)
    by_username: dict[str, object] = {}
    ordered = sorted(keys)
    chunk = (connection.features.max_query_params or 2 * len(ordered) + 2) // 2
    for start in range(0, len(ordered), max(chunk, 1)):
        part = ordered[start : start + chunk]
        users = (
            User.objects.annotate(email_key=Lower("email"))
            .filter(Q(email_key__in=part) | Q(username__in=part))
            .select_related("learner")
            .order_by("pk")
        )
        for user in users:
            if user.email_key in keys:
                by_email[user.email_key].append(user)
            by_username[user.username] = user
    return by_email, by_username


# --- Writing --------------------------------------------------------------------------------------


def _unusable_password() -> str:
    # What set_unusable_password() stores, without its 40 secrets.choice() calls per account.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _batches(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(
    people: list[_Person], managers: dict[str, object], *, progress: Progress | None
) -> tuple[int, int, int, list[int]]:
    """Write the checked rows; returns (created, updated, unchanged, ids of learners to enrol)."""
    User = get_user_model()
    user_of: dict[str, object] = {}
    new_users, renamed_users = [], []
    for person in people:
        row, user = person.row, person.account
        first, last = row.first_name.strip(), row.last_name.strip()
        if user is None:
            user = User(
                username=person.key,
                email=row.email.strip(),
                first_name=first,
                last_name=last,
                password=_unusable_password(),
            )
            new_users.append(user)
        elif (user.first_name, user.last_name) != (first, last):
            user.first_name, user.last_name = first, last
            renamed_users.append(user)
        user_of[person.key] = user

    total, done = len(new_users) + len(renamed_users) + len(people), 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None and n:
            progress(done, total)

    for batch in _batches(new_users):
        User.objects.bulk_create(batch)
        advance(len(batch))
    for batch in _batches(renamed_users):
        User.objects.bulk_update(batch, ["first_name", "last_name"])
        advance(len(batch))

    renamed = {user.pk for user in renamed_users}
    new_learners, changed_learners = [], []
    updated = unchanged = 0
    for person in people:
        user = user_of[person.key]
        manager = user_of.get(person.manager_key) or managers.get(person.manager_key)
        wanted = {
            "role": person.row.role.strip(),
            "team": person.row.team.strip(),
            "manager_id": manager.pk if manager is not None else None,
            "start_date": person.start_date,
            "timezone": person.timezone,
        }
        learner = _existing_learner(person)
        if learner is None:
            new_learners.append(Learner(user=user, **wanted))
        elif any(getattr(learner, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(learner, name, value)
            changed_learners.append(learner)
            updated += 1
        elif user.pk in renamed:
            updated += 1
        else:
            unchanged += 1
    advance(unchanged + updated - len(changed_learners))

    for batch in _batches(new_learners):
        Learner.objects.bulk_create(batch)
        advance(len(batch))
    for batch in _batches(changed_learners):
        Learner.objects.bulk_update(batch, ["role", "team", "manager", "start_date", "timezone"])
        advance(len(batch))

    # A changed name alone matches no other event: only new and changed profiles are enrolled.
    enrol = [learner.pk for learner in new_learners] + [learner.pk for learner in changed_learners]
    return len(new_learners), updated, unchanged, enrol


def _existing_learner(person: _Person) -> Learner | None:
    if person.account is None:
        return None
    try:
        return person.account.learner  # loaded with the account (select_related): no query
    except Learner.DoesNotExist:
        return None


def _enrol(learner_ids: list[int], *, today: datetime.date) -> None:
    # One call on PostgreSQL; slices where the database caps query parameters (SQLite).
    size = connection.features.max_query_params or len(learner_ids)
    for start in range(0, len(learner_ids), size):
        journeys.enrol_in_matching_events(learner_ids[start : start + size], today=today)
