"""People from the HR export: check every row, then upsert users and learners in bulk, enrol them in
the events whose audience names them (and withdraw them from those that no longer do), and
deactivate or reactivate accounts as the file says.

A file is imported in one transaction and no query runs per row: one read of every account the file
names (people and managers), one of the active learners when the file is the whole workforce
(`full`), then inserts and updates in batches. The file never changes a staff or superuser account
(never deactivates one either), and never leaves managers in a loop. Deactivating more than
HR_MAX_DEACTIVATE_SHARE of the active learners at once is refused unless asked for: a truncated
export must not empty the company. A dry run does all of it and rolls it back.
"""

import datetime
import secrets
import zoneinfo
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower

from learning.journeys import buddies, enrolment
from learning.models import ImportRun, Learner
from learning.people import accounts, sql
from learning.people.manager_loops import manager_loops

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
# Optional: true/false, yes/no or 1/0 (any case); blank leaves the account as it is, except with
# `full`, where being in the file means being active.
# buddy_email: who confirms a newcomer's buddy steps in their onboarding (an account, or a person
# of the file); blank leaves their buddy as it is.
OPTIONAL_COLUMNS = ("active", "buddy_email")
ACTIVE_VALUES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
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
    active: str = ""
    buddy_email: str = ""
    # Set by the reader when the record did not split into the header's columns.
    parse_error: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Person:
    """Someone the import (de)activates, as the summary names them."""

    user_id: int
    email: str
    line: int | None  # their row; None for someone missing from a `full` file


@dataclass(frozen=True)
class ImportResult:
    """Learners created (a new account, or an existing account's first profile), updated, unchanged;
    accounts deactivated and reactivated; enrolments withdrawn (a new role or team)."""

    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
    written: bool
    deactivated: list[Person] = field(default_factory=list)
    reactivated: list[Person] = field(default_factory=list)
    withdrawn: int = 0
    buddies_set: int = 0  # onboarding enrolments whose buddy the file set or changed
    new_user_ids: list[int] = field(default_factory=list)  # accounts this import created
    # Why nothing was written although every row is valid (the share of deactivations).
    refused: str = ""
    active_learners: int = 0  # before the import: the share's denominator
    dry_run: bool = False


def missing_columns(header: Sequence[str]) -> list[str]:
    return [name for name in COLUMNS if name not in header]


@dataclass(slots=True)
class _Account:
    """An existing user and their learner profile, read as plain values (no model instances)."""

    pk: int
    username: str
    first_name: str
    last_name: str
    learner_pk: int | None
    learner: tuple  # LEARNER_FIELDS' values, () without a profile
    privileged: bool = False  # staff or superuser: an HR file must not be a way to change them
    is_active: bool = True

    @property
    def manager_pk(self) -> int | None:
        return self.learner[LEARNER_FIELDS.index("manager_id")] if self.learner else None


@dataclass
class _Person:
    """A row that passed its own checks, with what it resolves to."""

    row: PersonRow
    key: str
    start_date: datetime.date | None
    timezone: str
    manager_key: str
    account: "_Account | None"  # the existing user, if any
    reasons: list[str] = field(default_factory=list)
    active: bool | None = None  # what the row's `active` says; None: blank or no such column
    buddy_key: str = ""
    buddy_account: "_Account | None" = None  # a buddy from outside the file


def import_people(
    rows: Sequence[PersonRow],
    *,
    now: datetime.datetime,
    today: datetime.date,
    skip_invalid: bool = False,
    full: bool = False,
    dry_run: bool = False,
    allow_mass_deactivation: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Upsert the people of an HR export by email, enrol the new and changed in matching events,
    withdraw those whose role or team moved them out of an event's audience, and (de)activate
    accounts as the `active` column says; with `full`, the file is the whole workforce and active
    learners missing from it are deactivated.

    With any invalid row nothing is written unless `skip_invalid`; then only the valid rows are, and a
    row whose manager is an invalid row is invalid too (an invalid row still counts as in the file:
    nobody on it is deactivated as missing). Nothing is written either when more than
    HR_MAX_DEACTIVATE_SHARE of the active learners would be deactivated, unless
    `allow_mass_deactivation`. A `dry_run` does everything in a transaction it rolls back.
    """
    people, managers, errors = _check(rows, full=full)
    if errors and not skip_invalid:
        return ImportResult(0, 0, 0, errors, written=False, dry_run=dry_run)
    going, coming, active_learners = _activity_changes(rows, people, managers, full=full)
    share = len(going) / active_learners if active_learners else 0.0
    if share > settings.HR_MAX_DEACTIVATE_SHARE and not allow_mass_deactivation:
        refused = (
            f"{len(going)} of the {active_learners} active learners ({share:.0%}) would be "
            f"deactivated, more than HR_MAX_DEACTIVATE_SHARE ({settings.HR_MAX_DEACTIVATE_SHARE:.0%}): "
            "is the file complete?"
        )
        return ImportResult(
            0,
            0,
            0,
            errors,
            written=False,
            deactivated=going,
            refused=refused,
            active_learners=active_learners,
            dry_run=dry_run,
        )
    with transaction.atomic():
        written = _write(people, managers, progress=progress)
        if coming:
            accounts.reactivate([p.user_id for p in coming], now=now)
        withdrawn = 0
        if written.moved:
            withdrawn = _withdraw(written.moved, now=now)
        if written.enrol:
            _enrol(written.enrol, today=today)
        # After enrolment: a newcomer's onboarding journey exists now.
        buddies_set = buddies.assign_onboarding_buddies(written.buddies)
        if going:
            accounts.deactivate(
                [p.user_id for p in going],
                now=now,
                reason="HR import" + (" (missing from the full file)" if full else ""),
            )
        # The run's record (and /metrics' import rows), in the same transaction as its writes.
        ImportRun.objects.create(
            finished_at=now,
            created=written.created,
            updated=written.updated,
            unchanged=written.unchanged,
            invalid=len(errors),
            deactivated=len(going),
        )
        if dry_run:
            # It has done all of it, and the rollback leaves not a row changed.
            transaction.set_rollback(True)
    return ImportResult(
        written.created,
        written.updated,
        written.unchanged,
        errors,
        written=not dry_run,
        deactivated=going,
        reactivated=coming,
        withdrawn=withdrawn,
        buddies_set=buddies_set,
        new_user_ids=[] if dry_run else written.new_user_ids,
        active_learners=active_learners,
        dry_run=dry_run,
    )


# --- Checking -------------------------------------------------------------------------------------


def _key(email: str) -> str:
    return email.strip().lower()


def _check(
    rows: Sequence[PersonRow], *, full: bool = False
) -> tuple[list[_Person], dict[str, _Account], list[RowError]]:
    """The valid rows, the existing accounts of managers named outside the file (and of staff rows
    refused, who stay as they are and may still manage), and the errors."""
    User = get_user_model()
    # All CharFields, so each has a max_length.
    username_max = cast(int, User._meta.get_field("username").max_length)
    limits = {
        "first_name": cast(int, User._meta.get_field("first_name").max_length),
        "last_name": cast(int, User._meta.get_field("last_name").max_length),
        "role": cast(int, Learner._meta.get_field("role").max_length),
        "team": cast(int, Learner._meta.get_field("team").max_length),
    }
    zones = {name.lower(): name for name in zoneinfo.available_timezones()}

    lines_by_key: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if key := _key(row.email):
            lines_by_key[key].append(row.line)
    by_email, by_username = _accounts(
        set(lines_by_key)
        | {_key(r.manager_email) for r in rows if r.manager_email.strip()}
        | {_key(r.buddy_email) for r in rows if r.buddy_email.strip()}
    )

    people: list[_Person] = []
    managers: dict[str, _Account] = {}
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
        active = None
        if value := row.active.strip():
            active = ACTIVE_VALUES.get(value.lower())
            if active is None:
                reasons.append(f"active “{value}” is not one of true/false, yes/no, 1/0")
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
        buddy_key, buddy_account = _key(row.buddy_email), None
        if buddy_key and key and buddy_key == key:
            reasons.append("a person cannot be their own buddy")
        elif buddy_key and buddy_key not in lines_by_key:
            found = by_email.get(buddy_key, [])
            if len(found) != 1:
                reasons.append(
                    f"unknown buddy {buddy_key} (neither in this file nor an existing account)"
                    if not found
                    else f"{len(found)} existing accounts have the buddy email {buddy_key}"
                )
            elif not found[0].is_active:
                reasons.append(f"buddy {buddy_key}'s account is deactivated")
            else:
                buddy_account = found[0]
        if active is None and full and not (account is not None and account.privileged):
            active = True  # in the whole workforce's file: active (a staff account stays as it is)
        people.append(
            _Person(
                row,
                key,
                start_date,
                zones.get(tz.lower(), tz),
                manager_key,
                account,
                reasons,
                active=active,
                buddy_key=buddy_key,
                buddy_account=buddy_account,
            )
        )

    _refuse_changes_to_admin_accounts(people, managers)
    _refuse_manager_loops(people, managers)
    while True:  # an invalid row's reports are invalid, and so are those it was to be buddy to
        _invalidate_reports_of_invalid_managers(people, standing=set(managers))
        if not _invalidate_buddies_of_invalid_rows(people):
            break
    errors = [RowError(p.row.line, "; ".join(p.reasons)) for p in people if p.reasons]
    return [p for p in people if not p.reasons], managers, errors


def _refuse_changes_to_admin_accounts(people: list[_Person], managers: dict[str, _Account]) -> None:
    """A row that would change a staff or superuser account (its name or learner profile) is invalid:
    whoever edits the HR file must not reach admin accounts. A row that changes nothing is fine, and
    a refused account stays what it is, so the file's people may still report to it."""
    accounts = {p.key: p.account for p in people if p.account is not None}
    for person in people:
        account = person.account
        if account is None or not account.privileged:
            continue
        row = person.row
        manager = accounts.get(person.manager_key) or managers.get(person.manager_key)
        wanted = (
            row.role.strip(),
            row.team.strip(),
            manager.pk if manager is not None else None,
            person.start_date,
            person.timezone,
        )
        new_manager = person.manager_key and manager is None  # a new account: a change for sure
        if (
            new_manager
            or (person.active is not None and person.active != account.is_active)
            or account.learner != wanted
            or (account.first_name, account.last_name)
            != (row.first_name.strip(), row.last_name.strip())
        ):
            person.reasons.append(
                f"{person.key} is a staff or superuser account, which the import does not change "
                "(change it in the admin, or leave the row as the account is)"
            )
            managers.setdefault(person.key, account)


def _refuse_manager_loops(people: list[_Person], managers: dict[str, _Account]) -> None:
    """Rows whose managers would form a loop, in the file or through the database, are invalid."""
    written = {p.key: p for p in people if p.key and not p.reasons}
    accounts = {p.key: p.account for p in people if p.key and p.account is not None}
    accounts.update((key, account) for key, account in managers.items() if key not in accounts)
    loops = manager_loops(
        managers_in_file={key: p.manager_key for key, p in written.items()},
        accounts={key: (a.pk, a.manager_pk) for key, a in accounts.items()},
    )
    lines = {p.key: p.row.line for p in people if p.key}
    for loop in loops:
        members = [key for key in loop if key in written]
        where = ", ".join(str(n) for n in sorted(lines[key] for key in members))
        for member in members:
            at = loop.index(member)
            chain = " → ".join(
                key if key in lines else f"{key} (not in this file)"
                for key in [*loop[at:], *loop[:at], member]
            )
            written[member].reasons.append(f"managers would form a loop: {chain} (lines {where})")


def _invalidate_reports_of_invalid_managers(people: list[_Person], *, standing: set[str]) -> None:
    """A report of an invalid row is invalid too (it would point at nobody), down the whole chain;
    except where the row's existing account stays as it is (`standing`) and can still manage."""
    reports: dict[str, list[_Person]] = defaultdict(list)
    lines: dict[str, int] = {}
    for person in people:
        if person.manager_key:
            reports[person.manager_key].append(person)
        if person.key:
            lines.setdefault(person.key, person.row.line)
    queue = deque(p.key for p in people if p.reasons and p.key and p.key not in standing)
    while queue:
        manager_key = queue.popleft()
        for report in reports.pop(manager_key, []):
            if not report.reasons:
                report.reasons.append(
                    f"manager {manager_key} (line {lines[manager_key]}) is an invalid row"
                )
                queue.append(report.key)


def _invalidate_buddies_of_invalid_rows(people: list[_Person]) -> bool:
    """A row whose buddy is an invalid row of the file is invalid too; True if any became so."""
    invalid = {p.key: p.row.line for p in people if p.reasons and p.key}
    changed = False
    for person in people:
        if not person.reasons and person.buddy_key in invalid:
            line = invalid[person.buddy_key]
            person.reasons.append(f"buddy {person.buddy_key} (line {line}) is an invalid row")
            changed = True
    return changed


def _accounts(keys: set[str]) -> tuple[dict[str, list[_Account]], dict[str, _Account]]:
    """Existing users by lower-cased email (a list: emails are not unique) and by username, with
    their learner profiles: one query (one per `max_query_params` keys where a database caps them)."""
    User = get_user_model()
    by_email: dict[str, list[_Account]] = defaultdict(list)
    by_username: dict[str, _Account] = {}
    for condition in sql.email_or_username_in(sorted(keys)):
        rows = (
            User.objects.annotate(email_key=Lower("email"))
            .filter(condition)
            .order_by("pk")
            .values_list(
                "pk",
                "email_key",
                "username",
                "first_name",
                "last_name",
                "is_staff",
                "is_superuser",
                "is_active",
                "learner__pk",
                *(f"learner__{name}" for name in LEARNER_FIELDS),
            )
        )
        for pk, email_key, username, first, last, staff, su, active, learner_pk, *learner in rows:
            account = _Account(
                pk,
                username,
                first,
                last,
                learner_pk,
                tuple(learner) if learner_pk else (),
                privileged=staff or su,
                is_active=active,
            )
            if email_key in keys:
                by_email[email_key].append(account)
            by_username[username] = account
    return by_email, by_username


def _activity_changes(
    rows: Sequence[PersonRow], people: list[_Person], managers: dict[str, _Account], *, full: bool
) -> tuple[list[Person], list[Person], int]:
    """Who the import deactivates and reactivates, and how many learners are active now.

    With `full`, the active learners missing from the file go too, except staff and superusers
    (never the import's to change) and managers the file names (they manage people in it). A row
    the checks refused still counts as in the file: a typo must not deactivate its person.
    """
    going = [
        Person(p.account.pk, p.key, p.row.line)
        for p in people
        if p.account is not None and p.account.is_active and p.active is False
    ]
    coming = [
        Person(p.account.pk, p.key, p.row.line)
        for p in people
        if p.account is not None and not p.account.is_active and p.active is True
    ]
    if not full:
        active = Learner.objects.active().count() if going else 0
        return going, coming, active
    in_file = {_key(r.email) for r in rows} | {_key(r.manager_email) for r in rows} | set(managers)
    in_file.discard("")  # a blank email or manager names nobody
    in_file_pks = {p.account.pk for p in people if p.account is not None}
    active_learners = (
        Learner.objects.active()
        .annotate(email_key=Lower("user__email"))
        .values_list(
            "user_id", "email_key", "user__username", "user__is_staff", "user__is_superuser"
        )
        .order_by("user__email", "user_id")
    )
    count = 0
    for user_id, email_key, username, staff, superuser in active_learners.iterator(chunk_size=5000):
        count += 1
        if staff or superuser or user_id in in_file_pks:
            continue
        if email_key not in in_file and username.lower() not in in_file:
            going.append(Person(user_id, email_key or username, None))
    return going, coming, count


# --- Writing --------------------------------------------------------------------------------------


def _unusable_password() -> str:
    # What set_unusable_password() stores, without its 40 secrets.choice() calls per account.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _batches(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _Written:
    created: int
    updated: int
    unchanged: int
    enrol: list[int]  # learners new or changed: enrolled in the events that match them
    moved: list[int]  # learners whose role or team changed: withdrawn where no longer matched
    new_user_ids: list[int]
    buddies: dict[int, int]  # learner pk → buddy user pk, for their onboarding journeys


def _write(
    people: list[_Person], managers: dict[str, _Account], *, progress: Progress | None
) -> _Written:
    """Write the checked rows (accounts created inactive where the row says so)."""
    User = get_user_model()
    new_users = []
    renamed: list[tuple] = []  # (user pk, first name, last name)
    for person in people:
        row, account = person.row, person.account
        first, last = row.first_name.strip(), row.last_name.strip()
        if account is None:
            new_users.append(
                User(
                    username=person.key,
                    email=row.email.strip(),
                    first_name=first,
                    last_name=last,
                    password=_unusable_password(),
                    is_active=person.active is not False,
                )
            )
        elif (account.first_name, account.last_name) != (first, last):
            renamed.append((account.pk, first, last))

    total, done = len(new_users) + len(renamed) + len(people), 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None and n:
            progress(done, total)

    for batch in _batches(new_users):
        User.objects.bulk_create(batch)
        advance(len(batch))
    for batch in _batches(renamed):
        sql.update_rows(User, ["first_name", "last_name"], batch)
        advance(len(batch))

    # Every person of the file now has an account: resolve managers to their user ids.
    user_pk = {user.username: user.pk for user in new_users}
    user_pk.update({p.key: p.account.pk for p in people if p.account is not None})
    user_pk.update({key: account.pk for key, account in managers.items()})
    renamed_pks = {pk for pk, _, _ in renamed}
    new_learners, changed = [], []  # changed: (learner pk, *LEARNER_FIELDS)
    moved: list[int] = []
    updated = unchanged = 0
    for person in people:
        wanted = (
            person.row.role.strip(),
            person.row.team.strip(),
            user_pk[person.manager_key] if person.manager_key else None,
            person.start_date,
            person.timezone,
        )
        account = person.account
        if account is None or account.learner_pk is None:
            new_learners.append(
                Learner(
                    user_id=user_pk[person.key], **dict(zip(LEARNER_FIELDS, wanted, strict=True))
                )
            )
        elif account.learner != wanted:
            changed.append((account.learner_pk, *wanted))
            updated += 1
            if account.learner[:2] != wanted[:2]:  # role, team
                moved.append(account.learner_pk)
        elif account.pk in renamed_pks:
            updated += 1
        else:
            unchanged += 1
    advance(unchanged + updated - len(changed))

    for batch in _batches(new_learners):
        Learner.objects.bulk_create(batch)
        advance(len(batch))
    for batch in _batches(changed):
        sql.update_rows(Learner, list(LEARNER_FIELDS), batch)
        advance(len(batch))

    # A changed name alone matches no other event: only new and changed profiles are enrolled.
    enrol = [learner.pk for learner in new_learners] + [row[0] for row in changed]
    learner_pk = {learner.user_id: learner.pk for learner in new_learners}
    buddy_of = {}  # learner pk → buddy user pk
    for person in people:
        if not person.buddy_key:
            continue
        buddy = person.buddy_account.pk if person.buddy_account else user_pk[person.buddy_key]
        account = person.account
        if account is not None and account.learner_pk is not None:
            buddy_of[account.learner_pk] = buddy
        else:
            buddy_of[learner_pk[user_pk[person.key]]] = buddy
    return _Written(
        len(new_learners),
        updated,
        unchanged,
        enrol,
        moved,
        [user.pk for user in new_users],
        buddy_of,
    )


def _withdraw(learner_ids: list[int], *, now: datetime.datetime) -> int:
    size = connection.features.max_query_params or len(learner_ids)
    return sum(
        enrolment.withdraw_from_unmatched_events(learner_ids[start : start + size], now=now)
        for start in range(0, len(learner_ids), size)
    )


def _enrol(learner_ids: list[int], *, today: datetime.date) -> None:
    # One call on PostgreSQL; slices where the database caps query parameters (SQLite).
    size = connection.features.max_query_params or len(learner_ids)
    for start in range(0, len(learner_ids), size):
        enrolment.enrol_in_matching_events(learner_ids[start : start + size], today=today)
