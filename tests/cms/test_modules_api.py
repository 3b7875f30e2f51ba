"""GET /api/v1/modules and /api/v1/modules/{id}: live modules only, blocks as Wagtail shapes them."""

import datetime

import pytest

from cms.models import ChangeEvent, JourneyStep
from tests.cms.search_corpus import HOSTILE
from tests.factories import JobTaskFactory, publish_module, question, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def refunds(library):
    task = JobTaskFactory(name="Process a refund")
    return publish_module(
        title="Refunds in three steps",
        summary="Refund an order without a supervisor.",
        body=[text("<p>Open the order, choose Refund, pick a reason.</p>"), question()],
        job_tasks=[task],
    )


def test_list_is_paginated_with_items_and_count(api_client, refunds):
    publish_module(title="Second")
    body = api_client.get("/api/v1/modules?page_size=1").json()
    assert body["count"] == 2
    assert len(body["items"]) == 1
    assert set(body["items"][0]) == {"id", "title", "summary", "estimated_minutes", "job_tasks"}


def test_list_serves_live_modules_only(api_client, refunds):
    publish_module(title="Draft only", live=False)
    titles = [m["title"] for m in api_client.get("/api/v1/modules").json()["items"]]
    assert titles == ["Refunds in three steps"]


def test_list_filters_by_job_task(api_client, refunds):
    other = JobTaskFactory(name="Escalate a ticket")
    publish_module(title="Escalations", job_tasks=[other])
    items = api_client.get(f"/api/v1/modules?job_task={other.pk}").json()["items"]
    assert [m["title"] for m in items] == ["Escalations"]
    assert items[0]["job_tasks"] == [{"id": other.pk, "name": "Escalate a ticket"}]


def test_list_filters_by_event_journey(api_client, refunds):
    publish_module(title="Not in the journey")
    event = ChangeEvent.objects.create(
        name="Launch", kind="product_launch", date=datetime.date(2026, 12, 1)
    )
    JourneyStep.objects.create(event=event, title="Learn refunds", kind="formal", module=refunds)
    event.save_revision().publish()
    items = api_client.get(f"/api/v1/modules?event={event.pk}").json()["items"]
    assert [m["title"] for m in items] == ["Refunds in three steps"]


def test_list_filters_by_text(api_client, refunds):
    publish_module(
        title="Password resets", body=[text("<p>Send the reset link from the account page.</p>")]
    )
    items = api_client.get("/api/v1/modules?q=reset link").json()["items"]
    assert [m["title"] for m in items] == ["Password resets"]


def test_detail_shapes_the_body_with_stable_block_ids_and_no_answers(api_client, refunds):
    response = api_client.get(f"/api/v1/modules/{refunds.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Refunds in three steps"
    assert body["estimated_minutes"] >= 1
    assert [b["type"] for b in body["body"]] == ["text", "question"]
    stored_ids = [child.id for child in refunds.body]
    assert [b["id"] for b in body["body"]] == stored_ids
    assert body["body"][1]["value"] == {
        "prompt": "Which is right?",
        "choices": ["Right", "Wrong"],
        "multiple": False,
    }
    assert "correct" not in response.content.decode()


def test_detail_sends_an_etag_and_answers_304_when_unchanged(api_client, refunds):
    first = api_client.get(f"/api/v1/modules/{refunds.pk}")
    etag = first["ETag"]
    again = api_client.get(f"/api/v1/modules/{refunds.pk}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    refunds.title = "Refunds in two steps"
    refunds.save_revision().publish()
    changed = api_client.get(f"/api/v1/modules/{refunds.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_detail_answers_304_to_a_star_or_a_list_of_etags(api_client, refunds):
    etag = api_client.get(f"/api/v1/modules/{refunds.pk}")["ETag"]
    for header in ("*", f'"stale", {etag}', f"W/{etag}"):
        response = api_client.get(f"/api/v1/modules/{refunds.pk}", HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
    assert (
        api_client.get(f"/api/v1/modules/{refunds.pk}", HTTP_IF_NONE_MATCH='"stale"').status_code
        == 200
    )


def test_unknown_and_draft_modules_are_404_in_json(api_client, library):
    draft = publish_module(title="Draft", live=False)
    for module_id in (draft.pk, 999_999):
        response = api_client.get(f"/api/v1/modules/{module_id}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json()["detail"]


def test_a_bad_parameter_is_422_naming_the_field(api_client, library):
    response = api_client.get("/api/v1/modules?job_task=refunds")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "job_task"
    assert "job_task" in response.json()["detail"]


def test_an_unknown_job_task_filter_is_404_naming_no_model(api_client, library):
    response = api_client.get("/api/v1/modules?job_task=424242")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such job task."


def test_an_unknown_module_is_404_naming_no_model(api_client, library):
    assert api_client.get("/api/v1/modules/424242").json()["detail"] == "No such module."


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/modules/9223372036854775808", "module_id"),
        ("/api/v1/modules?event=9223372036854775808", "event"),
        ("/api/v1/modules?job_task=9223372036854775808", "job_task"),
        ("/api/v1/modules?job_task=0", "job_task"),
        ("/api/v1/modules?event=-1", "event"),
    ],
)
def test_an_id_beyond_a_bigint_is_422_naming_the_field(api_client, library, url, field):
    response = api_client.get(url)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_largest_bigint_is_simply_not_found(api_client, library):
    assert api_client.get("/api/v1/modules/9223372036854775807").status_code == 404
    assert api_client.get("/api/v1/modules?job_task=9223372036854775807").status_code == 404
    assert api_client.get("/api/v1/modules?event=9223372036854775807").json()["items"] == []


@pytest.fixture
def launch(refunds):
    event = ChangeEvent.objects.create(
        name="Launch", kind="product_launch", date=datetime.date(2026, 12, 1)
    )
    JourneyStep.objects.create(event=event, title="Learn refunds", kind="formal", module=refunds)
    JourneyStep.objects.create(event=event, title="Refunds again", kind="formal", module=refunds)
    event.save_revision().publish()
    return event


def test_text_combines_with_the_event_and_job_task_filters(api_client, refunds, launch):
    task = refunds.job_tasks.get()
    publish_module(title="Refunds for another task", job_tasks=[JobTaskFactory(name="Other")])
    for params in (
        {"q": "refund", "event": launch.pk},
        {"q": "refund", "job_task": task.pk},
        {"q": "refund", "event": launch.pk, "job_task": task.pk},
    ):
        response = api_client.get("/api/v1/modules", params)
        assert response.status_code == 200, params
        assert [m["id"] for m in response.json()["items"]] == [refunds.pk], params
        assert response.json()["count"] == 1


def test_a_module_twice_in_a_journey_is_listed_once(api_client, refunds, launch):
    body = api_client.get(f"/api/v1/modules?event={launch.pk}").json()
    assert [m["id"] for m in body["items"]] == [refunds.pk]
    assert body["count"] == 1


def test_text_lists_the_best_match_first(api_client, refunds):
    publish_module(
        title="Calming an angry customer",
        body=[text("<p>Say what you will do next: a callback or, if it went wrong, a refund.</p>")],
    )
    items = api_client.get("/api/v1/modules", {"q": "how do I refund an order"}).json()["items"]
    assert [m["title"] for m in items] == ["Refunds in three steps", "Calming an angry customer"]


def test_text_of_only_stop_words_or_punctuation_lists_nothing(api_client, refunds):
    for q in ("how do I", "?!", "-"):
        assert api_client.get("/api/v1/modules", {"q": q}).json() == {"items": [], "count": 0}
    assert api_client.get("/api/v1/modules", {"q": "  "}).json()["count"] == 1


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_text_is_searched_not_an_error(api_client, refunds, q):
    assert api_client.get("/api/v1/modules", {"q": q}).status_code == 200


@pytest.mark.parametrize(("q", "status"), [("refund\x00", 422), ("x" * 201, 422), ("x" * 200, 200)])
def test_text_limits(api_client, library, q, status):
    response = api_client.get("/api/v1/modules", {"q": q})
    assert response.status_code == status
    if status == 422:
        assert response.json()["errors"][0]["field"] == "q"


def test_openapi_describes_the_endpoints(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/modules", "/api/v1/modules/{module_id}", "/api/v1/search"} <= set(
        schema["paths"]
    )
    assert api_client.get("/api/v1/docs").status_code == 200


def test_openapi_declares_the_etag_header_the_id_bounds_and_the_404s(api_client):
    paths = api_client.get("/api/v1/openapi.json").json()["paths"]
    detail = paths["/api/v1/modules/{module_id}"]["get"]
    parameters = {p["name"]: p for p in detail["parameters"]}
    assert parameters["If-None-Match"]["in"] == "header"
    assert parameters["If-None-Match"]["required"] is False
    assert parameters["module_id"]["schema"]["maximum"] == 2**63 - 1
    assert {"200", "304", "404", "422"} <= set(detail["responses"])
    listing = paths["/api/v1/modules"]["get"]
    assert {"200", "404", "422"} <= set(listing["responses"])
    filters = {p["name"]: p["schema"] for p in listing["parameters"]}
    bounds = [s for s in filters["job_task"]["anyOf"] if s.get("type") == "integer"]
    assert bounds == [{"type": "integer", "minimum": 1, "maximum": 2**63 - 1}]
    q = [s for s in filters["q"]["anyOf"] if s.get("type") == "string"]
    assert q[0]["maxLength"] == 200


def test_images_are_served_as_renditions_with_urls_and_sizes(
    api_client, library, settings, tmp_path
):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), "#2a9d8f").save(buffer, format="PNG")
    image = Image.objects.create(title="Order screen", file=ImageFile(buffer, name="order.png"))
    module = publish_module(
        title="Where the refund button is",
        body=[
            (
                "image",
                {"image": image, "alt_text": "The order screen", "caption": "Refund is top right"},
            )
        ],
    )
    block = api_client.get(f"/api/v1/modules/{module.pk}").json()["body"][0]
    assert block["type"] == "image"
    assert block["value"]["alt_text"] == "The order screen"
    renditions = block["value"]["renditions"]
    assert (renditions["small"]["width"], renditions["small"]["height"]) == (480, 270)
    assert (renditions["large"]["width"], renditions["large"]["height"]) == (1200, 675)
    url = renditions["large"]["url"]
    assert url.startswith("http://testserver/media/images/")
    assert url.endswith(".webp")
    served = api_client.get(url.removeprefix("http://testserver"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
