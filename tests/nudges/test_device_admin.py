"""An administrator sends a test push to a device from the Django admin and reads FCM's answer:
through firebase-admin to the loopback FCM, success and an error each shown as they came back."""

import pytest
from django.contrib.auth.models import User

from tests.nudges.sending_factories import DeviceFactory

pytestmark = pytest.mark.django_db

URL = "/django-admin/nudges/device/"


def send_test_push(client, *devices):
    return client.post(
        URL,
        {"action": "send_test_push", "_selected_action": [d.pk for d in devices]},
        follow=True,
    )


def test_a_test_push_reaches_fcm_and_its_answer_is_shown(fcm, client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    good = DeviceFactory(fid="fid-good-device")
    gone = DeviceFactory(fid="fid-gone-device")
    fcm.fail("fid-gone-device", "unregistered")

    page = send_test_push(client, good, gone).content.decode()

    assert f"Device {good.pk}: sent — projects/" in page  # FCM's message name
    assert f"Device {gone.pk}: unregistered — UNREGISTERED" in page
    assert fcm.count(tag=f"test-{good.pk}") == 1
    # The list shows addresses masked, never whole.
    listing = client.get(URL).content.decode()
    assert "fid-good-device" not in listing


def test_a_staff_member_without_the_permission_cannot_send(fcm, client):
    from tests.factories import UserFactory

    staff = UserFactory(username="helpdesk", is_staff=True)
    client.force_login(staff)
    device = DeviceFactory(fid="fid-x")
    response = client.post(URL, {"action": "send_test_push", "_selected_action": [device.pk]})
    assert response.status_code == 403
    assert fcm.count(tag=f"test-{device.pk}") == 0
