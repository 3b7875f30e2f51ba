"""The site outside the API: "/" (the library, a landing page to the admin), a module's live URL drawn
as the app shows it, and an admin that asks no other host for anything (issue 10)."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import PageViewRestriction

from tests.factories import JobTaskFactory, LearnerFactory, UserFactory, publish_module, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def picture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), "#2a9d8f").save(buffer, format="PNG")
    return Image.objects.create(title="Order screen", file=ImageFile(buffer, name="order.png"))


@pytest.fixture
def every_block(library, picture):
    """A live module with one block of every type, each with content a test can find."""
    return publish_module(
        title="Refunds in three steps",
        summary="Refund a duplicate payment without a supervisor.",
        minutes_override=4,
        job_tasks=[
            JobTaskFactory(name="Process a refund"),
            JobTaskFactory(name="Answer a complaint"),
        ],
        body=[
            ("text", "<p>Check the order, then <b>refund</b> it.</p>"),
            (
                "image",
                {
                    "image": picture,
                    "alt_text": "The order screen",
                    "caption": "Refund is top right",
                },
            ),
            (
                "video",
                {
                    "url": "https://video.example.com/watch/refunds",
                    "title": "Refunds walkthrough",
                    "duration_seconds": 95,
                    "transcript": "First open the order.",
                },
            ),
            ("key_takeaway", {"text": "Refund to the original payment method."}),
            ("checklist", {"title": "Before you refund", "items": ["Order found", "Payment seen"]}),
            question(
                "How many days does a refund take?",
                [("Seven days", False), ("Fourteen days", True), ("Thirty days", False)],
                "The bank needs up to fourteen days.",
            ),
            (
                "try_on_the_job",
                {
                    "prompt": "Refund the next duplicate payment you see.",
                    "reflection": "What slowed you?",
                },
            ),
            ("ask_a_peer", {"prompt": "Ask how they spot duplicates.", "who": "your buddy"}),
        ],
    )


def author_of_the_admin(client):
    user = UserFactory(username="staff", password=None)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    return user


def test_the_root_is_the_library_a_landing_page_that_leads_to_the_admin(client, library):
    publish_module(title="Escalate a complaint", summary="Who to call, and when.")
    publish_module(title="A draft", live=False)
    response = client.get("/")
    assert response.status_code == 200  # it was a 500: the library page had no template
    html = response.content.decode()
    assert 'href="/cms/"' in html
    assert "Escalate a complaint" in html
    assert "Who to call, and when." in html
    assert "A draft" not in html
    assert client.get("/cms/").status_code in {200, 302}


def test_the_library_leaves_out_modules_behind_a_view_restriction(client, library):
    private = publish_module(title="Private pricing")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    assert "Private pricing" not in client.get("/").content.decode()


def test_a_modules_live_url_draws_every_block_at_phone_width(client, every_block):
    author_of_the_admin(client)
    response = client.get(every_block.url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Refunds in three steps",
        "Refund a duplicate payment without a supervisor.",
        "4 min",
        "Process a refund",
        "Answer a complaint",
        "<b>refund</b>",  # text
        'alt="The order screen"',  # image
        "Refund is top right",
        "Refunds walkthrough",  # video
        "1:35",
        "First open the order.",
        "Refund to the original payment method.",  # key takeaway
        "Before you refund",  # checklist
        "Order found",
        "Payment seen",
        "How many days does a refund take?",  # question
        "Seven days",
        "Thirty days",
        "Refund the next duplicate payment you see.",  # try on the job
        "What slowed you?",
        "Ask how they spot duplicates.",  # ask a peer
        "your buddy",
    ):
        assert text in html, text
    # The right answer and why, only behind a reveal.
    details = re.search(r"<details class=\"mm-answer\">(.*?)</details>", html, re.S).group(1)
    assert "✓ Fourteen days" in details
    assert "The bank needs up to fourteen days." in details
    assert "Seven days" not in details
    # Image renditions from our own media, the player a link (nothing embedded), our own stylesheet.
    assert re.search(r'<img src="/media/images/[^"]+\.webp"', html)
    assert "<iframe" not in html
    assert '<link rel="stylesheet" href="/static/cms/site.css">' in html
    assert 'name="viewport" content="width=device-width' in html


def test_the_stylesheet_keeps_the_page_to_a_phone_column_with_no_outside_fonts():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("cms/site.css")).read_text()
    assert "max-width: 420px" in css
    assert "@import" not in css
    assert "url(" not in css


def test_visitors_without_the_admin_never_see_the_right_answer(client, every_block):
    for who in (None, LearnerFactory(user__username="dana", user__password=None).user):
        if who is not None:
            client.force_login(who)
        html = client.get(every_block.url).content.decode()
        assert "How many days does a refund take?" in html
        assert "Fourteen days" in html  # the choice itself
        assert "✓" not in html
        assert "The bank needs up to fourteen days." not in html


def test_a_video_file_gets_a_player_and_a_draft_is_not_served(client, library):
    module = publish_module(
        title="Watch it",
        body=[
            (
                "video",
                {"url": "/media/refunds.MP4", "title": "Refunds", "duration_seconds": 600},
            )
        ],
    )
    html = client.get(module.url).content.decode()
    assert '<video controls preload="none" src="/media/refunds.MP4"' in html
    assert "10:00" in html
    draft = publish_module(title="Not yet", live=False)
    assert client.get(f"/{draft.slug}/").status_code == 404


def test_the_admin_asks_no_other_host_for_anything(client, every_block):
    """Avatars were Gravatar's (broken without internet) and a superuser's dashboard asked
    releases.wagtail.org for the latest version. Links a person may follow (Wagtail's guide) stay."""
    admin = UserFactory(username="root", password=None, is_superuser=True, is_staff=True)
    admin.email = "root@example.com"
    admin.save()
    client.force_login(admin)
    for url in ("/cms/", f"/cms/pages/{every_block.pk}/edit/", "/cms/account/", "/cms/users/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "gravatar.com" not in html, url
        assert 'data-controller="w-upgrade' not in html, url
        loaded = re.findall(r'\s(?:src|srcset|poster)="([^"]+)"', html)
        loaded += re.findall(r'<link\b[^>]*\shref="([^"]+)"', html)
        assert loaded, url
        for address in loaded:
            assert urlsplit(address).netloc in {"", "testserver"}, (url, address)


def test_the_editors_preview_of_an_unsaved_module_draws_it_with_its_answers(author_client, library):
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    url = f"/cms/pages/add/cms/micromodule/{library.pk}/preview/"
    data = nested_form_data(
        {
            "title": "Not saved yet",
            "slug": "not-saved-yet",
            "summary": "Seen only in the preview.",
            "body": streamfield(
                [
                    ("text", rich_text("<p>Draft words.</p>")),
                    (
                        "question",
                        {
                            "prompt": "Which is right?",
                            "choices": streamfield(
                                [
                                    ("item", {"text": "This one", "correct": True}),
                                    ("item", {"text": "That one", "correct": False}),
                                ]
                            ),
                            "explanation": "Because it is.",
                        },
                    ),
                    ("key_takeaway", {"text": "Remember this."}),
                ]
            ),
        }
    )
    posted = author_client.post(url, data)
    assert posted.json() == {"is_valid": True, "is_available": True}
    response = author_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Not saved yet", "Seen only in the preview.", "Draft words.", "Which is right?"):
        assert text in html
    assert "✓ This one" in html
    assert "Because it is." in html
    assert "Remember this." in html
    assert "1 min" in html  # derived from the draft's body: nothing is stored yet
