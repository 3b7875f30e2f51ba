"""The budget: in a simulated month, no learner's planned practice exceeds the budget on any day.

LEARNERS learners in four time zones, a budget of BUDGET_MINUTES (questions_per_day() answers a
local day), DAYS days from Monday 2026-03-02 (New York and Berlin change their clocks in it). Each
learner meets a 12-question onboarding module on their first day, then a 3-question module every
3 days, through the product's own path (create_cards_for_module). Once or twice a local day, at a
random time between 07:00 and 22:00, they open practice and answer everything offered (due_cards,
then answer() each, half a minute apart; "again" a quarter of the time, else "good"), having
opened the practice nudge that reached them in the last 12 hours, if any (a nudge_opened event).
Every TICK the beat's work runs: plan_nudges claims the learners due for a check, then the nudges
due go out (dispatch_due, send through the console backend to each learner's one phone).

Checked beside the product's own counts: what each session offered against the budget less that
local day's answers so far (our tally); every local day's answers in the review log; what each
practice nudge announced ("N questions on X — M minutes") against what the budget left, and what
the due queue offered, at the moment it was planned, and again at the moment it went out.

Scaled down from 200 learners: an answer costs about 12 queries and 10–15 ms here, and a learner
gives about 260 in the month (the budget binds), so 200 learners would take over ten minutes on
this 2-core machine. The budget is a per-learner rule; 16 learners (four a zone) meet it on 480
learner-days.
"""

import datetime
import logging
import random
import re
import uuid
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from benchmarks._django import bench_database, timed

LEARNERS = 16
DAYS = 30
BUDGET_MINUTES = 5
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")
FIRST_DAY = datetime.date(2026, 3, 2)
ONBOARDING_QUESTIONS = 12
MODULES, QUESTIONS_PER_MODULE, MODULE_EVERY_DAYS = 10, 3, 3
WRONG = 0.25  # share of answers rated 1 (again); the rest 3 (good)
SECONDS_PER_ANSWER = 30
# The beat plans and sends every minute; here every hour at half past, when the default window
# (12:30-13:00) opens, keeps the run near two minutes.
TICK = datetime.timedelta(hours=1)
SEED = 20260302
_COUNT = re.compile(r"^(\d+) question")


@dataclass(frozen=True, order=True)
class Session:
    at: datetime.datetime  # UTC; over (ten answers at most) before the next tick
    learner: int  # index into the learner list
    meets: tuple[int, ...] = ()  # indexes of the modules met at the start of it


@dataclass
class Announced:
    """Practice nudges: what they announced against what the budget left at a moment."""

    nudges: int = 0
    most: int = 0  # the most questions any announced
    worst: tuple[int, int] | None = None  # (announced, left) of the one most above what was left
    above: int = 0  # how many announced more than the budget left
    above_queue: int = 0  # how many announced more than the due queue offered at that moment
    above_planned_earlier: int = 0  # of those above the budget, planned on an earlier local day

    def add(self, announced: int, left: int, offered: int, *, planned_earlier: bool) -> None:
        self.nudges += 1
        self.most = max(self.most, announced)
        if self.worst is None or announced - left > self.worst[0] - self.worst[1]:
            self.worst = (announced, left)
        self.above += announced > left
        self.above_queue += announced > offered
        self.above_planned_earlier += announced > left and planned_earlier

    def most_above(self) -> str:
        """The nudge announcing most above what the budget left (or closest to it)."""
        if self.worst is None:
            return "none"
        return f"{self.worst[0]} announced vs {self.worst[1]} left"


@dataclass
class Tally:
    answers: int = 0
    sessions: int = 0
    most_offered: int = 0
    offered_above_left: int = 0  # sessions offered more than the budget less today's answers
    capped_days: set[tuple[int, datetime.date]] = field(default_factory=set)
    learner_days: set[tuple[int, datetime.date]] = field(default_factory=set)
    today: Counter = field(default_factory=Counter)  # (learner index, local date) → answers
    practising: float = 0.0  # seconds in sessions (due_cards, answer, ...)
    beat: float = 0.0  # seconds in the beat's work (sending, planning) and its checks
    opened: int = 0
    planned: Announced = field(default_factory=Announced)
    sent: Announced = field(default_factory=Announced)
    next_day: int = 0  # practice nudges planned for a later local day than the planning one
    planned_on: dict[int, datetime.date] = field(default_factory=dict)  # nudge id → local date


def question(i: int) -> tuple[str, dict]:
    return (
        "question",
        {
            "prompt": f"Question {i}?",
            "choices": [{"text": "Right", "correct": True}, {"text": "Wrong", "correct": False}],
            "explanation": "Because.",
        },
    )


def publish(title: str, questions: int) -> object:
    from cms.models import MicroModule, ModuleIndexPage

    module = MicroModule(
        title=title,
        summary="What you can do after.",
        body=[("text", "<p>A short explanation.</p>"), *(question(i) for i in range(questions))],
    )
    ModuleIndexPage.objects.get().add_child(instance=module)
    module.save_revision().publish()
    module.refresh_from_db()
    return module


def build(start: datetime.datetime) -> tuple[list, list]:
    """The modules (onboarding first) and the learners, each with a phone."""
    from django.contrib.auth.models import User

    from learning.models import Learner, PracticeBudget
    from nudges.models import Device, Platform

    setting = PracticeBudget.load()
    setting.daily_minutes = BUDGET_MINUTES
    setting.save()  # as the admin saves it: this process forgets the budget it read

    modules = [publish("Onboarding", ONBOARDING_QUESTIONS)]
    modules += [publish(f"Module {k}", QUESTIONS_PER_MODULE) for k in range(1, MODULES + 1)]
    users = User.objects.bulk_create(
        [User(username=f"budget-{i}", email=f"budget-{i}@example.com") for i in range(LEARNERS)]
    )
    learners = Learner.objects.bulk_create(
        [
            Learner(user=user, timezone=ZONES[i % len(ZONES)], next_nudge_check_at=start)
            for i, user in enumerate(users)
        ]
    )
    Device.objects.bulk_create(
        [
            Device(user=user, platform=Platform.ANDROID, token=f"budget-{i}", last_seen_at=start)
            for i, user in enumerate(users)
        ]
    )
    return modules, learners


def sessions(learners: list, rng: random.Random) -> list[Session]:
    """Each learner's sessions over their DAYS local days, the modules they meet in each day's first."""
    found = []
    for i, learner in enumerate(learners):
        tz = zoneinfo.ZoneInfo(learner.timezone)
        # Onboarding on day 0; module k on day 1 + (i mod 3) + 3(k - 1): a third start each day.
        met = {0: 0} | {
            1 + i % MODULE_EVERY_DAYS + MODULE_EVERY_DAYS * (k - 1): k
            for k in range(1, MODULES + 1)
        }
        for day in range(DAYS):
            meets = (met[day],) if day in met else ()
            # Quarters of an hour from 07:00 to 21:45, a start in the first 8 minutes of one, so
            # a session of up to ten answers is over before the next tick.
            quarters = sorted(rng.sample(range(7 * 4, 22 * 4), rng.choice((1, 2))))
            for n, quarter in enumerate(quarters):
                local = datetime.datetime.combine(
                    FIRST_DAY + datetime.timedelta(days=day),
                    datetime.time(
                        quarter // 4, quarter % 4 * 15, rng.randrange(8), rng.randrange(60)
                    ),
                    tzinfo=tz,
                )
                found.append(Session(local.astimezone(datetime.UTC), i, meets if n == 0 else ()))
    return sorted(found)


@dataclass(frozen=True)
class Outcome:
    """What one session did."""

    learner: int
    day: datetime.date  # the learner's local date
    offered: int
    due: int  # cards due then, whatever the budget
    opened: bool  # came from a practice nudge


def practise(session: Session, *, learners: list, modules: list) -> Outcome:
    """The learner meets the session's modules, opens today's practice nudge if one reached them,
    then answers everything offered."""
    from learning.ledger.events import record_events
    from learning.models import Card
    from learning.practice import cards as practice
    from nudges.models import Nudge

    learner, at = learners[session.learner], session.at
    rng = random.Random(f"{SEED}:{session.learner}:{at.isoformat()}")
    for k in session.meets:
        practice.create_cards_for_module(learner, modules[k], now=at)
    nudge = (
        Nudge.objects.filter(
            learner=learner,
            kind=Nudge.Kind.PRACTICE_DUE,
            state=Nudge.State.SENT,
            opened_at__isnull=True,
            sent_at__gte=at - datetime.timedelta(hours=12),
        )
        .order_by("-sent_at")
        .first()
    )
    if nudge is not None:
        opened = {"type": "nudge_opened", "nudge_id": nudge.pk, "occurred_at": at.isoformat()}
        record_events(learner, [{"id": str(uuid.uuid4()), **opened}], now=at)

    offered = practice.due_cards(learner, now=at, limit=50)
    due = Card.objects.filter(learner=learner, active=True, due__lte=at).count()
    for n, card in enumerate(offered):
        answered_at = at + datetime.timedelta(seconds=n * SECONDS_PER_ANSWER)
        practice.answer(
            learner,
            card_id=card.card_id,
            client_id=uuid.uuid4(),
            answered_at=answered_at,
            rating=1 if rng.random() < WRONG else 3,
            response_ms=8000,
            now=answered_at,
        )
    return Outcome(session.learner, learner.local_date(at), len(offered), due, nudge is not None)


def count(outcome: Outcome, tally: Tally, allowed: int) -> None:
    """Into the tally, checking what was offered against the day's answers before it."""
    day = (outcome.learner, outcome.day)
    tally.sessions += 1
    tally.learner_days.add(day)
    tally.opened += outcome.opened
    tally.most_offered = max(tally.most_offered, outcome.offered)
    tally.offered_above_left += outcome.offered > allowed - tally.today[day]
    if outcome.due > outcome.offered:
        tally.capped_days.add(day)
    tally.answers += outcome.offered
    tally.today[day] += outcome.offered


def announced(
    nudges: list, *, by_id: dict, now: datetime.datetime, tally: Tally, into: Announced
) -> None:
    """Each practice nudge's count against the budget left and the due queue at `now`."""
    from learning.practice import budget
    from learning.practice import cards as practice

    if not nudges:
        return
    people = [by_id[n.learner_id] for n in nudges]
    left = budget.remaining_today_of(people, now=now)
    for nudge, learner in zip(nudges, people, strict=True):
        match = _COUNT.match(nudge.title)
        assert match, nudge.title
        offered = practice.due_now(learner, now=now, limit=1)[0]
        today = learner.local_date(now)
        planned_on = tally.planned_on.setdefault(nudge.pk, today)
        into.add(int(match[1]), left[learner.pk], offered, planned_earlier=planned_on < today)


def tick(now: datetime.datetime, *, by_id: dict, tally: Tally, rng: random.Random) -> None:
    """The beat's work at `now`: the planner, then the nudges due go out (one planned into a
    window open now goes out at once, as the next minute's dispatch would send it)."""
    from nudges import sending
    from nudges.backends.console import ConsoleBackend
    from nudges.models import Nudge
    from nudges.planning import plan_nudges

    result = plan_nudges(now=now, rng=rng)
    planned = list(
        Nudge.objects.filter(pk__in=result.nudge_ids, kind=Nudge.Kind.PRACTICE_DUE).only(
            "learner_id", "title", "planned_for"
        )
    )
    announced(planned, by_id=by_id, now=now, tally=tally, into=tally.planned)
    tally.next_day += sum(
        by_id[n.learner_id].local_date(n.planned_for) > by_id[n.learner_id].local_date(now)
        for n in planned
    )
    for ids in sending.dispatch_due(now=now):
        sending.send(ids, now=now, backend=ConsoleBackend())
    sent = Nudge.objects.filter(kind=Nudge.Kind.PRACTICE_DUE, state=Nudge.State.SENT, sent_at=now)
    announced(
        list(sent.only("learner_id", "title")), by_id=by_id, now=now, tally=tally, into=tally.sent
    )


def per_day_most(learners: list) -> tuple[int, int]:
    """From the review log: the most answers any learner gave on one local day, and how many
    learner-days hold more than the budget."""
    from learning.models import Review
    from learning.practice import budget

    by_id = {x.pk: x for x in learners}
    days: Counter = Counter()
    for learner_id, answered_at in Review.objects.values_list("learner_id", "answered_at"):
        days[(learner_id, by_id[learner_id].local_date(answered_at))] += 1
    allowed = budget.questions_per_day()
    return max(days.values(), default=0), sum(n > allowed for n in days.values())


def main() -> None:
    logging.disable(logging.INFO)
    with bench_database():
        from learning.practice import budget

        rng = random.Random(SEED)
        # Tokyo's first morning is the evening before in UTC; New York's last night the day after.
        start = datetime.datetime.combine(FIRST_DAY, datetime.time(), tzinfo=datetime.UTC)
        start -= datetime.timedelta(hours=11, minutes=30)
        end = start + datetime.timedelta(days=DAYS + 1)
        with timed() as built:
            modules, learners = build(start)
        allowed = budget.questions_per_day()
        plan = sessions(learners, rng)
        by_id = {x.pk: x for x in learners}
        print(
            f"{LEARNERS} learners (scaled down from 200: see the module's note) in {len(ZONES)}"
            f" time zones ({', '.join(ZONES)}), {DAYS} days, {len(modules)} modules built in"
            f" {built[0]:.1f} s; budget {budget.daily_minutes()} minutes = {allowed} questions a day",
            flush=True,
        )

        tally = Tally()
        pending = iter(plan)
        upcoming = next(pending, None)
        with timed() as simulated:
            now = start
            while now <= end:
                with timed() as practising:
                    while upcoming is not None and upcoming.at < now:
                        outcome = practise(upcoming, learners=learners, modules=modules)
                        count(outcome, tally, allowed)
                        upcoming = next(pending, None)
                with timed() as beat:
                    tick(now, by_id=by_id, tally=tally, rng=rng)
                tally.practising += practising[0]
                tally.beat += beat[0]
                now += TICK
        most_per_day, days_above = per_day_most(learners)
        planned, sent = tally.planned, tally.sent
        print(
            f"simulated in {simulated[0]:.1f} s ({tally.practising:.1f} s in sessions,"
            f" {tally.beat:.1f} s in the beat's work every {TICK.seconds // 60} minutes):"
            f" {tally.sessions:,} sessions, {tally.answers:,} answers,"
            f" {tally.opened:,} practice nudges opened",
        )
        print(
            f"most answers any learner gave on one local day: {most_per_day} (budget {allowed});"
            f" learner-days above the budget: {days_above}"
        )
        print(
            f"learner-days capped by the budget (more due than offered): {len(tally.capped_days):,}"
            f" of {len(tally.learner_days):,} practised; most offered in one session:"
            f" {tally.most_offered}; sessions offered more than the day's answers left:"
            f" {tally.offered_above_left}"
        )
        print(
            f"practice nudges planned: {planned.nudges:,} ({tally.next_day:,} for a later local"
            f" day), announcing at most {planned.most} questions; at the moment they were planned,"
            f" the worst case: {planned.most_above()}; above the budget left: {planned.above},"
            f" above the due queue: {planned.above_queue}"
        )
        print(
            f"the same nudges when they went out: {sent.nudges:,}; the worst case: {sent.most_above()};"
            f" above the budget left then: {sent.above} ({sent.above_planned_earlier} of them planned"
            f" on an earlier local day), above the due queue: {sent.above_queue}"
        )
        met = (
            most_per_day <= allowed
            and tally.most_offered <= allowed
            and not tally.offered_above_left
            and not planned.above
        )
        print(
            "target, no learner's planned practice above the budget on any day:"
            f" {'MET' if met else 'NOT MET'}"
        )
