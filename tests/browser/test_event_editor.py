"""An author editing a change event in Chromium sees, before publishing a new date, how many
people's journeys it moves; publishing it moves them."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from cms.models import ChangeEvent
from learning.models import Enrollment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_author_sees_who_a_new_date_moves_and_publishing_moves_them(
    demo_author_page: Page, live_server
):
    page = demo_author_page
    launch = ChangeEvent.objects.get(kind="product_launch")
    people = Enrollment.objects.current().filter(event=launch).count()
    assert people > 0

    page.goto(f"{live_server.url}/cms/snippets/cms/changeevent/edit/{launch.pk}/")

    note = page.get_by_text(re.compile(r"people are on this journey"))
    expect(note).to_contain_text(f"{people} people are on this journey")
    expect(note).to_contain_text("Publishing a new date moves each of their journeys")

    new_date = launch.date + datetime.timedelta(days=3)
    page.get_by_label("Date").fill(new_date.isoformat())
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile("published", re.I)).first).to_be_visible()

    assert set(
        Enrollment.objects.current().filter(event=launch).values_list("anchor_date", flat=True)
    ) == {new_date}
