"""The Wagtail editor warns when a module is no longer bite-sized."""

import pytest
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import MicroModule

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model, library):
    user = django_user_model.objects.create_user("editor", password="pw-for-tests")
    user.groups.add(Group.objects.get(name="Authors"))
    client.force_login(user)
    return client


def add_module(editor_client, library, *, words: int, action: str = "action-submit"):
    data = nested_form_data(
        {
            "title": "Refund policy in full",
            "slug": "refund-policy",
            "summary": "Everything about refunds.",
            "body": streamfield(
                [("text", rich_text("<p>" + " ".join(["refund"] * words) + "</p>"))]
            ),
        }
    )
    data[action] = "1"
    return editor_client.post(f"/cms/pages/add/cms/micromodule/{library.pk}/", data, follow=True)


def test_saving_a_long_module_shows_a_bite_size_warning(editor_client, library, settings):
    settings.MICROMOMENTS_BITE_SIZE_MINUTES = 7
    # Authors submit modules for review (they cannot publish them): the warning comes on submit.
    response = add_module(editor_client, library, words=2000)  # 10 minutes at 200 words a minute
    module = MicroModule.objects.get(slug="refund-policy")
    assert module.current_workflow_state is not None
    assert module.estimated_minutes == 10
    messages = [str(m) for m in response.context["messages"]]
    assert any("longer than a micro-moment" in m and "10 minutes" in m for m in messages), messages


def test_a_bite_sized_module_saves_without_warning(editor_client, library):
    response = add_module(editor_client, library, words=300)
    assert MicroModule.objects.filter(slug="refund-policy").exists()
    assert not any("micro-moment" in str(m) for m in response.context["messages"])
