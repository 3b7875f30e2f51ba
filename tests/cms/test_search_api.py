"""GET /api/v1/search: point-of-need questions find modules and job tasks; searches are logged."""

import pytest
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from cms.models import SearchMiss
from tests.cms.search_corpus import HOSTILE, create_corpus
from tests.factories import JobTaskFactory, publish_module, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(library):
    refund = JobTaskFactory(
        name="Process a refund",
        synonyms="give money back\nreimburse a customer",
        description="Return money.",
    )
    password = JobTaskFactory(name="Reset a password", synonyms="locked out\nforgot login")
    return {
        "refunds": publish_module(
            title="Refunds in three steps",
            summary="Refund an order without a supervisor.",
            body=[
                text("<p>Open the order, choose Refund and pick the reason the customer gives.</p>")
            ],
            job_tasks=[refund],
        ),
        "passwords": publish_module(
            title="Password resets",
            summary="Get a locked-out customer back in.",
            body=[text("<p>Send the reset link from the account page.</p>")],
            job_tasks=[password],
        ),
        "refund_task": refund,
    }


def test_a_plain_question_finds_the_module_and_task(api_client, content):
    body = api_client.get("/api/v1/search", {"q": "how do I refund an order"}).json()
    assert body["query"] == "how do I refund an order"
    kinds_ids = [(r["kind"], r["id"]) for r in body["results"]]
    assert ("module", content["refunds"].pk) in kinds_ids
    assert ("job_task", content["refund_task"].pk) in kinds_ids
    assert ("module", content["passwords"].pk) not in kinds_ids[:2]


def test_task_synonyms_find_the_task_and_its_modules(api_client, content):
    results = api_client.get("/api/v1/search", {"q": "give money back"}).json()["results"]
    assert results[0]["kind"] in {"job_task", "module"}
    task = next(r for r in results if r["kind"] == "job_task")
    assert task["id"] == content["refund_task"].pk
    assert task["module_ids"] == [content["refunds"].pk]


def test_an_editors_pick_comes_first(api_client, content):
    query = Query.get("refund")
    SearchPromotion.objects.create(query=query, page=content["passwords"], sort_order=0)
    results = api_client.get("/api/v1/search", {"q": "refund"}).json()["results"]
    assert (results[0]["kind"], results[0]["id"], results[0]["promoted"]) == (
        "module",
        content["passwords"].pk,
        True,
    )
    assert [r["id"] for r in results if r["kind"] == "module"].count(content["passwords"].pk) == 1


def test_nothing_found_is_an_empty_list_and_counted_as_a_miss(api_client, content):
    body = api_client.get("/api/v1/search", {"q": "quantum entanglement"}).json()
    assert body["results"] == []
    query = Query.get("quantum entanglement")
    today = timezone.localdate()
    assert query.daily_hits.get(date=today).hits == 1
    api_client.get("/api/v1/search", {"q": "quantum  entanglement"})
    assert SearchMiss.objects.get(query=query, date=today).misses == 2


def test_every_search_is_logged_in_wagtails_query_log(api_client, content):
    api_client.get("/api/v1/search", {"q": "refund"})
    api_client.get("/api/v1/search", {"q": "refund"})
    assert Query.get("refund").daily_hits.get(date=timezone.localdate()).hits == 2
    assert not SearchMiss.objects.exists()


def test_drafts_are_not_found(api_client, library):
    publish_module(title="Secret draft about refunds", live=False)
    assert api_client.get("/api/v1/search", {"q": "refunds"}).json()["results"] == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}])
def test_a_missing_or_bad_query_is_422(api_client, params):
    response = api_client.get("/api/v1/search", params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


# --- Ranking: the best match first, on the demo-like corpus (tests/cms/search_corpus.py) ---------


@pytest.fixture
def corpus(library):
    return create_corpus()


def _module_ids(results):
    return [r["id"] for r in results if r["kind"] == "module"]


def test_the_readme_question_puts_the_refund_module_first(api_client, corpus):
    results = api_client.get("/api/v1/search", {"q": "how do I refund an order"}).json()["results"]
    assert _module_ids(results)[0] == corpus["refunds"].pk
    assert ("job_task", corpus["tasks"]["Process a refund"].pk) in [
        (r["kind"], r["id"]) for r in results
    ]


def test_one_word_puts_the_module_about_it_first_of_all_that_mention_it(api_client, corpus):
    results = api_client.get("/api/v1/search", {"q": "refund"}).json()["results"]
    assert _module_ids(results)[0] == corpus["refunds"].pk
    assert len(_module_ids(results)) == 5
    assert ("job_task", corpus["tasks"]["Process a refund"].pk) in [
        (r["kind"], r["id"]) for r in results[:2]
    ]


def test_stop_words_and_punctuation_alone_find_nothing_and_count_as_a_miss(api_client, corpus):
    for q in ("how do I", "?!", '"'):
        body = api_client.get("/api/v1/search", {"q": q}).json()
        assert body == {"query": q, "results": []}
        assert SearchMiss.objects.get(query=Query.get(q)).misses == 1


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_text_is_searched_not_an_error(api_client, corpus, q):
    response = api_client.get("/api/v1/search", {"q": q})
    assert response.status_code == 200
    assert response.json()["query"] == q


def test_a_nul_in_the_query_is_422_naming_q(api_client):
    response = api_client.get("/api/v1/search", {"q": "refund\x00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"
