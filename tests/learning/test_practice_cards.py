"""Practice cards: made when a module is completed, following their question across edits, and
scheduled with the desired retention of their change event."""

import copy
import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.models import ChangeEvent, EventAudience, JourneyStep
from learning.models import Activity, Card, CardState, Enrollment, Learner, Review, Verb
from learning.practice import cards as practice
from learning.practice import retention
from tests.factories import LearnerFactory, publish_module, question, text

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def refunds_module(title="Refunds", **fields):
    return publish_module(
        title=title,
        body=[
            text(),
            question("How many days for a refund?", [("14", True), ("30", False), ("7", False)]),
            question("Who approves over £500?", [("A team lead", True), ("Anyone", False)]),
        ],
        **fields,
    )


def completed(learner, module, *, at=NOW):
    return Activity.objects.create(
        learner=learner,
        verb=Verb.MODULE_COMPLETED,
        category="formal",
        module=module,
        minutes=3,
        occurred_at=at,
    )


def publish_edit(module, edit):
    """Publish a new revision whose body is `edit(raw blocks)`, block ids kept as the editor keeps them."""
    blocks = copy.deepcopy(list(module.body.raw_data))
    module.body = edit(blocks)
    module.save_revision().publish()
    module.refresh_from_db()
    return module


def choices_of(block):
    """A question block's choices as raw dicts (ListBlock stores each as {"type": "item", "value": ...})."""
    return [item["value"] for item in block["value"]["choices"]]


def question_blocks(module):
    return [b for b in module.body.raw_data if b["type"] == "question"]


def answer(learner, card, *, at, choices=None, rating=None, response_ms=8000):
    return practice.answer(
        learner,
        card_id=card.pk,
        client_id=uuid.uuid4(),
        answered_at=at,
        choices=choices,
        rating=rating,
        response_ms=response_ms,
        now=at,
    )


def test_completing_a_module_gives_a_card_per_question_due_now(learner, library):
    module = refunds_module()

    practice.on_modules_completed([completed(learner, module)])

    cards = list(Card.objects.order_by("pk"))
    assert [c.block_id for c in cards] == [b["id"] for b in question_blocks(module)]
    card = cards[0]
    assert (card.learner, card.module_id, card.event, card.active) == (
        learner,
        module.pk,
        None,
        True,
    )
    assert (card.state, card.step, card.stability, card.last_review) == (
        CardState.LEARNING,
        0,
        None,
        None,
    )
    assert abs(card.due - timezone.now()) < datetime.timedelta(minutes=1)
    # The nudge planner is asked to look at the learner: a review is due.
    assert Learner.objects.get(pk=learner.pk).next_nudge_check_at <= card.due


def test_completing_again_keeps_the_cards_and_their_history(learner, library):
    module = refunds_module()
    practice.create_cards_for_module(learner, module, now=NOW)
    card = Card.objects.first()
    answer(learner, card, at=NOW, choices=[0])
    before = Card.objects.get(pk=card.pk)

    practice.on_modules_completed([completed(learner, module), completed(learner, module)])
    practice.create_cards_for_module(learner, module, now=NOW + datetime.timedelta(days=1))

    assert Card.objects.count() == 2
    after = Card.objects.get(pk=card.pk)
    assert (after.due, after.stability, after.state) == (before.due, before.stability, before.state)


def test_a_batch_of_completions_creates_cards_in_a_fixed_number_of_queries(
    library, django_assert_max_num_queries
):
    modules = [refunds_module() for _ in range(3)]
    learners = [LearnerFactory() for _ in range(4)]
    activities = [completed(learner, module) for learner in learners for module in modules]

    with django_assert_max_num_queries(4):
        practice.on_modules_completed(activities)

    assert Card.objects.count() == 4 * 3 * 2


def test_a_module_without_questions_gives_no_cards(learner, library):
    module = publish_module(body=[text()])
    practice.on_modules_completed([completed(learner, module)])
    assert not Card.objects.exists()


def test_card_takes_the_event_of_the_learners_journey_with_that_module(learner, library):
    module = refunds_module()
    other_module = refunds_module()
    compliance = live_event(name="FCA rules", kind="compliance", retention="0.95", module=module)
    launch = live_event(name="Launch", kind="product_launch", retention="0.85", module=module)
    not_mine = live_event(name="Not mine", kind="compliance", retention="0.99", module=module)
    for event in (compliance, launch):
        Enrollment.objects.create(learner=learner, event=event, anchor_date=NOW.date())
    someone_else = LearnerFactory()
    Enrollment.objects.create(learner=someone_else, event=not_mine, anchor_date=NOW.date())

    practice.on_modules_completed(
        [
            completed(learner, module),
            completed(learner, other_module),
            completed(someone_else, other_module),
        ]
    )

    events = {(c.learner_id, c.module_id): c.event_id for c in Card.objects.all()}
    # The most demanding of my events that has the module; none for a module outside my journeys.
    assert events == {
        (learner.pk, module.pk): compliance.pk,
        (learner.pk, other_module.pk): None,
        (someone_else.pk, other_module.pk): None,
    }


def live_event(*, name, kind, retention, module):
    event = ChangeEvent(name=name, kind=kind, date=NOW.date(), target_retention=Decimal(retention))
    event.audience_rules = [EventAudience(role="Support agent")]
    event.steps = [JourneyStep(title=f"Read {module.title}", kind="formal", module=module)]
    event.save()
    return event


def test_higher_desired_retention_schedules_sooner(learner, library):
    demanding = live_event(
        name="FCA rules", kind="compliance", retention="0.95", module=refunds_module()
    )
    everyday = live_event(
        name="Launch", kind="product_launch", retention="0.90", module=refunds_module()
    )
    cards = {}
    for event in (demanding, everyday):
        module = event.steps.get().module
        practice.create_cards_for_module(learner, module, event=event, now=NOW)
        cards[event.pk] = Card.objects.filter(module=module).first()

    intervals = {}
    for event_id, card in cards.items():
        at = NOW
        for _ in range(4):  # right answers, each when it falls due
            result = answer(learner, card, at=at, choices=[0], response_ms=8000)
            assert result.rating_applied == 3
            at = result.next_due
        intervals[event_id] = (
            result.next_due - Review.objects.filter(card=card).latest("answered_at").answered_at
        )

    assert intervals[demanding.pk] < intervals[everyday.pk]
    assert intervals[everyday.pk] >= datetime.timedelta(days=7)


def test_an_edited_question_keeps_its_cards(learner, library):
    module = refunds_module()
    practice.create_cards_for_module(learner, module, now=NOW)
    first_id = question_blocks(module)[0]["id"]
    card = Card.objects.get(block_id=first_id)
    answer(learner, card, at=NOW, choices=[0])
    before = Card.objects.get(pk=card.pk)

    def reword_and_reorder(blocks):
        q1, q2 = blocks[1], blocks[2]
        q1["value"]["prompt"] = "Within how many days can we refund?"
        q1["value"]["choices"].reverse()  # same right answer, another position
        return [blocks[0], q2, q1]

    practice.on_module_published(publish_edit(module, reword_and_reorder))

    after = Card.objects.get(pk=card.pk)
    assert (after.active, after.due, after.stability, after.reset_at) == (
        True,
        before.due,
        before.stability,
        None,
    )
    # The reworded question is what the card asks now, and its right answer is still checked.
    result = answer(learner, after, at=after.due, choices=[2])
    assert result.correct is True


def test_a_removed_question_retires_its_cards_and_reverting_revives_them(learner, library):
    module = refunds_module()
    other = LearnerFactory()
    for person in (learner, other):
        practice.create_cards_for_module(learner=person, module=module, now=NOW)
    removed_id = question_blocks(module)[1]["id"]

    practice.on_module_published(publish_edit(module, lambda blocks: blocks[:2]))

    retired = Card.objects.filter(block_id=removed_id)
    assert retired.count() == 2
    assert not retired.filter(active=True).exists()
    assert Card.objects.filter(active=True).count() == 2
    due = practice.due_cards(learner, now=NOW + datetime.timedelta(days=1), limit=10)
    assert [d.card_id for d in due] == [Card.objects.get(learner=learner, active=True).pk]

    revision = module.revisions.order_by("created_at", "pk").first()
    revision.publish()
    module.refresh_from_db()
    practice.on_module_published(module)
    assert Card.objects.filter(active=True).count() == 4


def test_a_changed_right_answer_resets_its_cards(learner, library):
    module = refunds_module()
    practice.create_cards_for_module(learner, module, now=NOW)
    first_id, second_id = (b["id"] for b in question_blocks(module))
    for card in Card.objects.all():
        answer(learner, card, at=NOW, choices=[0], response_ms=2000)
    kept = Card.objects.get(block_id=second_id)

    def change_answer(blocks):
        choices = choices_of(blocks[1])
        choices[0]["correct"], choices[1]["correct"] = False, True  # 30 days now, not 14
        return blocks

    # Publishing runs the sync (learning.signals); it dates the reset from the moment of publishing.
    module = publish_edit(module, change_answer)
    published_at = Card.objects.get(block_id=first_id).reset_at
    assert abs(published_at - timezone.now()) < datetime.timedelta(minutes=1)

    reset = Card.objects.get(block_id=first_id)
    assert (reset.state, reset.step, reset.stability, reset.difficulty, reset.last_review) == (
        CardState.LEARNING,
        0,
        None,
        None,
        None,
    )
    assert (reset.due, reset.reset_at, reset.active) == (published_at, published_at, True)
    assert Card.objects.get(block_id=second_id).due == kept.due  # untouched
    # Its old reviews stay in the log; the new right answer is what counts now.
    assert reset.reviews.count() == 1
    assert answer(learner, reset, at=published_at, choices=[1]).correct is True


@pytest.fixture
def sync_missed(monkeypatch):
    """Publishing without the card sync (as if it had failed): what answer() must cope with."""
    monkeypatch.setattr(practice, "on_module_published", lambda module: None)


def test_an_answer_given_before_the_reset_is_logged_but_not_counted(learner, library, sync_missed):
    module = refunds_module()
    practice.create_cards_for_module(learner, module, now=NOW)
    card = Card.objects.get(block_id=question_blocks(module)[0]["id"])

    def change_answer(blocks):
        choices_of(blocks[1])[1]["correct"] = True
        return blocks

    practice.sync_cards_for_module(
        publish_edit(module, change_answer), now=NOW + datetime.timedelta(hours=1)
    )
    late = practice.answer(
        learner,
        card_id=card.pk,
        client_id=uuid.uuid4(),
        answered_at=NOW + datetime.timedelta(minutes=30),  # offline, before the edit
        choices=[0],
        response_ms=4000,
        now=NOW + datetime.timedelta(hours=2),
    )

    card.refresh_from_db()
    assert (card.last_review, card.due) == (None, NOW + datetime.timedelta(hours=1))
    assert late.next_due == card.due
    assert Review.objects.get(card=card).due_after is None


def test_a_card_whose_sync_has_not_run_is_reset_when_answered(learner, library, sync_missed):
    module = refunds_module()
    practice.create_cards_for_module(learner, module, now=NOW)
    card = Card.objects.get(block_id=question_blocks(module)[0]["id"])
    answer(learner, card, at=NOW, choices=[0], response_ms=2000)

    def change_answer(blocks):
        for choice in choices_of(blocks[1]):
            choice["correct"] = choice["text"] == "7"
        return blocks

    module = publish_edit(module, change_answer)  # no sync: the signal is not connected here
    at = module.last_published_at + datetime.timedelta(days=1)
    result = answer(learner, card, at=at, choices=[2], response_ms=8000)

    card.refresh_from_db()
    assert result.correct is True
    assert card.reset_at == module.last_published_at
    assert card.reviews.count() == 2
    # One review counted since the reset: a first Good answer puts a fresh card in its learning steps.
    assert (card.state, card.step, card.last_review) == (CardState.LEARNING, 1, at)


def test_retention_per_learner_and_module_in_one_query(learner, library, django_assert_num_queries):
    refunds, escalations = refunds_module(), refunds_module(title="Escalations")
    other = LearnerFactory()
    idle = LearnerFactory()
    for person in (learner, other):
        for module in (refunds, escalations):
            practice.create_cards_for_module(person, module, now=NOW)
    for card in Card.objects.filter(learner=learner, module=refunds):
        answer(learner, card, at=NOW, choices=[0], response_ms=2000)  # Easy: straight to review
    first_other = Card.objects.filter(learner=other).order_by("pk").first()
    answer(other, first_other, at=NOW, choices=[1])  # wrong

    at = NOW + datetime.timedelta(days=3)
    with django_assert_num_queries(1):
        result = retention.retention([learner.pk, other.pk, idle.pk], now=at)

    mine = result[learner.pk]
    assert (mine.cards, mine.reviewed) == (4, 2)
    by_module = {m.module_id: m for m in mine.modules}
    assert by_module[escalations.pk].predicted == {0: None, 7: None}
    assert by_module[refunds.pk].title == "Refunds"
    recall_now, recall_later = (
        by_module[refunds.pk].predicted[0],
        by_module[refunds.pk].predicted[7],
    )
    assert 0.8 < recall_later < recall_now < 1
    assert (mine.now, mine.in_7_days) == (recall_now, recall_later)
    # Someone who got it wrong is predicted to remember less.
    assert result[other.pk].now < mine.now
    assert result[idle.pk] == retention.LearnerRetention(
        learner_id=idle.pk, cards=0, reviewed=0, predicted={0: None, 7: None}, modules=[]
    )


def test_retired_cards_leave_the_retention_view(learner, library):
    module = refunds_module()
    practice.create_cards_for_module(learner, module, now=NOW)
    for card in Card.objects.all():
        answer(learner, card, at=NOW, choices=[0], response_ms=2000)
    practice.on_module_published(publish_edit(module, lambda blocks: blocks[:2]))

    assert retention.retention([learner.pk], now=NOW)[learner.pk].cards == 1
