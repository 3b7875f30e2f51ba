"""GET /reviews/due and POST /reviews: practising from the app, online and offline."""

import datetime
import uuid

import pytest
from django.utils import timezone

from learning.models import Card, CardState, Review
from learning.practice import budget
from learning.practice import cards as practice
from tests.factories import LearnerFactory, publish_module, question, text, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(library):
    return publish_module(
        title="Refunds",
        body=[
            text(),
            question(
                "How many days for a refund?",
                [("7", False), ("14", True), ("30", False)],
                explanation="The policy gives 14 days.",
            ),
            question(
                "Which need a team lead?",
                [("Over £500", True), ("Any refund", False), ("Without a receipt", True)],
                explanation="Large or unreceipted refunds.",
            ),
        ],
    )


@pytest.fixture
def cards(learner, module):
    """Dana's two cards of the module, created an hour ago (so they are due)."""
    practice.create_cards_for_module(
        learner, module, now=timezone.now() - datetime.timedelta(hours=1)
    )
    return list(Card.objects.filter(learner=learner).order_by("pk"))


def post(client, card, **fields):
    body = {
        "card_id": card.pk,
        "client_id": str(uuid.uuid4()),
        "answered_at": timezone.now().isoformat(),
        "response_ms": 8000,
        **fields,
    }
    return client.post("/api/v1/reviews", body, content_type="application/json")


def errors(response):
    assert response.status_code == 422, response.json()
    return {e["field"] for e in response.json()["errors"]}


# --- GET /reviews/due -----------------------------------------------------------------------------


def test_due_cards_come_oldest_first_with_the_question_but_not_the_answer(
    learner, api_client, cards, module
):
    first, second = cards
    now = timezone.now()
    Card.objects.filter(pk=second.pk).update(due=now - datetime.timedelta(days=2))
    Card.objects.filter(pk=first.pk).update(due=now - datetime.timedelta(days=1))
    later = publish_module(title="Later", body=[question()])
    practice.create_cards_for_module(learner, later, now=now + datetime.timedelta(days=1))

    response = api_client.get("/api/v1/reviews/due")

    assert response.status_code == 200
    body = response.json()
    assert [c["card_id"] for c in body] == [second.pk, first.pk]  # not yet due: left out
    assert body[0] == {
        "card_id": second.pk,
        "module_id": module.pk,
        "module_title": "Refunds",
        "prompt": "Which need a team lead?",
        "choices": ["Over £500", "Any refund", "Without a receipt"],
        "multiple": True,
        "due": body[0]["due"],
        "state": "learning",
    }
    assert "correct" not in response.content.decode()
    assert "explanation" not in body[0]


def test_limit_defaults_to_10_and_stays_within_1_to_50(learner, api_client, library):
    modules = [publish_module(body=[question(), question()]) for _ in range(6)]
    for module in modules:
        practice.create_cards_for_module(learner, module, now=timezone.now())

    assert len(api_client.get("/api/v1/reviews/due").json()) == 10
    assert len(api_client.get("/api/v1/reviews/due?limit=3").json()) == 3
    assert len(api_client.get("/api/v1/reviews/due?limit=50").json()) == 12
    assert errors(api_client.get("/api/v1/reviews/due?limit=0")) == {"limit"}
    assert errors(api_client.get("/api/v1/reviews/due?limit=51")) == {"limit"}


def test_someone_elses_cards_and_retired_ones_are_not_due(learner, api_client, cards, module):
    other = LearnerFactory()
    practice.create_cards_for_module(other, module, now=timezone.now() - datetime.timedelta(days=1))
    Card.objects.filter(pk=cards[0].pk).update(active=False)

    assert [c["card_id"] for c in api_client.get("/api/v1/reviews/due").json()] == [cards[1].pk]


@pytest.mark.parametrize("due_cards", [3, 40])
def test_due_cards_take_a_fixed_number_of_queries(
    learner, api_client, library, due_cards, django_assert_max_num_queries
):
    for _ in range(due_cards):
        module = publish_module(body=[question()])
        practice.create_cards_for_module(learner, module, now=timezone.now())

    budget.daily_minutes()  # read once a minute per process (learning.practice.budget)
    with django_assert_max_num_queries(8):  # and today's answers, the scheduler sets
        response = api_client.get("/api/v1/reviews/due?limit=50")

    assert len(response.json()) == due_cards


def _prompts(client):
    return [card["prompt"] for card in client.get("/api/v1/reviews/due").json()]


def _edit_first_question(module, prompt):
    body = module.body.raw_data
    first = next(block for block in body if block["type"] == "question")
    first["value"]["prompt"] = prompt
    module.body = body
    return module


def test_a_modules_questions_are_parsed_once_per_published_version(
    api_client, cards, module, django_assert_num_queries, settings
):
    settings.MICROMOMENTS_VIEW_CACHE_SECONDS = (
        0  # the layer below the cached view (learning.cached)
    )
    assert "How many days for a refund?" in _prompts(api_client)
    # Parsed already: the token read, the cards, today's answers against the budget and the
    # scheduler sets; no module body.
    with django_assert_num_queries(4):
        assert len(api_client.get("/api/v1/reviews/due").json()) == 2


def test_a_publish_elsewhere_is_seen_by_its_new_version(api_client, cards, module):
    from django.db.models.signals import post_save

    from cms.models import MicroModule
    from learning.practice.cards import on_module_saved

    assert "How many days for a refund?" in _prompts(api_client)
    # As another process publishes it: this one is told nothing, the version tells it.
    post_save.disconnect(sender=MicroModule, dispatch_uid="learning.questions")
    try:
        _edit_first_question(module, "How many days do customers have?").save_revision().publish()
    finally:
        post_save.connect(on_module_saved, sender=MicroModule, dispatch_uid="learning.questions")
    assert "How many days do customers have?" in _prompts(api_client)


def test_a_save_in_this_process_is_seen_at_once(api_client, cards, module):
    assert "How many days for a refund?" in _prompts(api_client)
    _edit_first_question(module, "Refund window, in days?").save()  # no publish, no new version
    assert "Refund window, in days?" in _prompts(api_client)


def test_due_cards_need_a_token(client, cards):
    assert client.get("/api/v1/reviews/due").status_code == 401


# --- POST /reviews --------------------------------------------------------------------------------


def test_a_right_answer_is_checked_rated_and_scheduled(learner, api_client, cards):
    card = cards[0]
    answered_at = (timezone.now() - datetime.timedelta(minutes=1)).replace(microsecond=0)

    response = post(
        api_client, card, choices=[1], response_ms=8000, answered_at=answered_at.isoformat()
    )

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "card_id": card.pk,
        "correct": True,
        "explanation": "The policy gives 14 days.",
        "rating_applied": 3,  # right, in 8 s: Good
        "next_due": body["next_due"],
        "replayed": False,
    }
    # A first Good answer moves a fresh card to fsrs's second learning step (10 minutes).
    assert datetime.datetime.fromisoformat(body["next_due"]) == answered_at + datetime.timedelta(
        minutes=10
    )
    card.refresh_from_db()
    assert (card.state, card.step, card.last_review) == (CardState.LEARNING, 1, answered_at)
    review = Review.objects.get()
    assert (review.learner, review.card, review.correct, review.chosen, review.rating) == (
        learner,
        card,
        True,
        [1],
        3,
    )
    assert review.due_after == card.due
    assert card.pk not in {c["card_id"] for c in api_client.get("/api/v1/reviews/due").json()}


@pytest.mark.parametrize(
    ("choices", "response_ms", "correct", "rating"),
    [
        ([0], 3000, False, 1),  # wrong, however fast: Again
        ([1], 20_000, True, 2),  # right but slow: Hard
        ([1], 8000, True, 3),  # right: Good
        ([1], 3000, True, 4),  # right and fast: Easy
    ],
)
def test_correctness_and_response_time_give_the_rating(
    api_client, cards, choices, response_ms, correct, rating
):
    body = post(api_client, cards[0], choices=choices, response_ms=response_ms).json()
    assert (body["correct"], body["rating_applied"]) == (correct, rating)


def test_an_easy_first_answer_schedules_days_ahead(api_client, cards):
    answered_at = timezone.now()
    body = post(
        api_client, cards[0], choices=[1], response_ms=2000, answered_at=answered_at.isoformat()
    ).json()
    interval = datetime.datetime.fromisoformat(body["next_due"]) - answered_at
    assert datetime.timedelta(days=5) < interval < datetime.timedelta(days=12)
    assert Card.objects.get(pk=cards[0].pk).state == CardState.REVIEW


def test_multiple_answer_questions_need_all_the_right_choices(api_client, cards):
    assert post(api_client, cards[1], choices=[0]).json()["correct"] is False
    assert post(api_client, cards[1], choices=[2, 0]).json()["correct"] is True
    assert post(api_client, cards[1], choices=[0, 1, 2]).json()["correct"] is False


def test_a_self_graded_rating_is_used_as_is(api_client, cards):
    body = post(api_client, cards[0], rating=2).json()
    assert (body["correct"], body["rating_applied"]) == (None, 2)
    assert Review.objects.get().chosen == []


def test_replaying_a_client_id_changes_nothing(api_client, cards):
    card = cards[0]
    client_id = str(uuid.uuid4())
    first = post(api_client, card, client_id=client_id, choices=[0])
    card.refresh_from_db()
    before = (card.due, card.stability, card.difficulty, card.state, card.step, card.last_review)

    # The app retries with the same id, even with a different body (it lost the first answer).
    again = post(api_client, card, client_id=client_id, choices=[1], response_ms=1000)

    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    card.refresh_from_db()
    assert (
        card.due,
        card.stability,
        card.difficulty,
        card.state,
        card.step,
        card.last_review,
    ) == before
    assert Review.objects.count() == 1


def test_a_client_id_used_for_another_card_is_refused(api_client, cards):
    client_id = str(uuid.uuid4())
    post(api_client, cards[0], client_id=client_id, choices=[1])
    assert errors(post(api_client, cards[1], client_id=client_id, choices=[0])) == {"client_id"}
    assert Review.objects.count() == 1


def test_offline_answers_are_applied_in_answered_at_order(learner, api_client, module, cards):
    """Queued answers arrive late and crossed: the card ends as if they had come in order."""
    twin_learner = LearnerFactory()
    practice.create_cards_for_module(twin_learner, module, now=timezone.now())
    card, twin = cards[0], Card.objects.get(learner=twin_learner, block_id=cards[0].block_id)
    start = (timezone.now() - datetime.timedelta(days=10)).replace(microsecond=0)
    answers = [  # (answered_at, choices, response_ms): Easy, then Good 8 days later, then wrong
        (start, [1], 2000),
        (start + datetime.timedelta(days=8), [1], 8000),
        (start + datetime.timedelta(days=9), [0], 8000),
    ]
    # The twin receives them in order (through the domain, as a reference).
    for at, choices, ms in answers:
        practice.answer(
            twin_learner,
            card_id=twin.pk,
            client_id=uuid.uuid4(),
            answered_at=at,
            choices=choices,
            response_ms=ms,
            now=timezone.now(),
        )
    # The card through the API: the last one first, then the first, then the middle one.
    for index in (2, 0, 1):
        at, choices, ms = answers[index]
        response = post(
            api_client, card, answered_at=at.isoformat(), choices=choices, response_ms=ms
        )
        assert response.status_code == 200

    card.refresh_from_db()
    twin.refresh_from_db()
    columns = ("state", "step", "stability", "difficulty", "due", "last_review")
    assert [getattr(card, c) for c in columns] == [getattr(twin, c) for c in columns]
    assert card.last_review == answers[2][0]
    # The late answer's result gives the card's due date after all three.
    assert datetime.datetime.fromisoformat(response.json()["next_due"]) == card.due
    log = list(card.reviews.order_by("answered_at").values_list("rating", "due_after"))
    twin_log = list(twin.reviews.order_by("answered_at").values_list("rating", "due_after"))
    assert log == twin_log


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"choices": [3]}, "choices"),
        ({"choices": [-1]}, "choices"),
        ({"choices": []}, "choices"),
        ({"choices": [1, 1]}, "choices"),
        ({"choices": [1], "rating": 3}, "rating"),
        ({}, "choices"),
        ({"rating": 0}, "rating"),
        ({"rating": 5}, "rating"),
        ({"rating": 3, "answered_at": "2026-11-23T10:00:00"}, "answered_at"),  # no offset
        ({"rating": 3, "answered_at": 1_790_000_000}, "answered_at"),
        ({"rating": 3, "response_ms": -1}, "response_ms"),
        ({"rating": 3, "client_id": "not-a-uuid"}, "client_id"),
    ],
)
def test_bad_answers_are_422_naming_the_field(api_client, cards, fields, field):
    assert errors(post(api_client, cards[0], **fields)) == {field}
    assert not Review.objects.exists()


def test_an_answer_from_the_future_is_422(api_client, cards):
    soon = timezone.now() + datetime.timedelta(minutes=3)  # clock drift: fine
    assert post(api_client, cards[0], rating=3, answered_at=soon.isoformat()).status_code == 200
    future = timezone.now() + datetime.timedelta(minutes=10)
    response = post(api_client, cards[1], rating=3, answered_at=future.isoformat())
    assert errors(response) == {"answered_at"}
    assert "future" in response.json()["detail"]


def test_someone_elses_card_is_404(module, api_client, cards):
    other = LearnerFactory()
    practice.create_cards_for_module(other, module, now=timezone.now())
    theirs = Card.objects.filter(learner=other).first()

    response = post(api_client, theirs, choices=[1])

    assert response.status_code == 404
    assert post(token_client(other.user), theirs, choices=[1]).status_code == 200
    unknown = Card(pk=theirs.pk + 1000)
    assert post(api_client, unknown, choices=[1]).status_code == 404
    assert Review.objects.filter(learner__user__username="dana").count() == 0


def test_a_retired_card_is_404_but_its_recorded_answers_replay(api_client, cards):
    client_id = str(uuid.uuid4())
    post(api_client, cards[0], client_id=client_id, choices=[1])
    Card.objects.filter(pk=cards[0].pk).update(active=False)

    assert post(api_client, cards[0], choices=[1]).status_code == 404
    replay = post(api_client, cards[0], client_id=client_id, choices=[1])
    assert (replay.status_code, replay.json()["replayed"]) == (200, True)
