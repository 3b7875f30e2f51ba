"""POST /devices and DELETE /devices/{id}: the app tells us where to push, and takes it back."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from nudges.models import Device
from tests.factories import LearnerFactory, token_client
from tests.nudges.sending_factories import DeviceFactory

URL = "/api/v1/devices"


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_a_new_installation_id_registers_a_device(api_client, learner):
    body = {"fid": "fid-abc", "platform": "android", "app_version": "3.4.1", "locale": "en-GB"}
    response = post(api_client, body)

    assert response.status_code == 201
    device = Device.objects.get()
    assert response.json() == {
        "id": device.pk,
        "platform": "android",
        "active": True,
        "last_seen_at": response.json()["last_seen_at"],
    }
    assert (device.user, device.fid, device.token) == (learner.user, "fid-abc", None)
    assert (device.app_version, device.locale) == ("3.4.1", "en-GB")
    assert timezone.now() - device.last_seen_at < datetime.timedelta(seconds=5)


def test_a_legacy_registration_token_registers_a_device(api_client):
    response = post(api_client, {"token": "fcm-token-1", "platform": "ios"})

    assert response.status_code == 201
    device = Device.objects.get()
    assert (device.token, device.fid, device.platform) == ("fcm-token-1", None, "ios")


def test_registering_again_refreshes_the_same_device(api_client, learner):
    first = post(api_client, {"fid": "fid-abc", "platform": "android", "app_version": "3.4.1"})
    Device.objects.update(last_seen_at=timezone.now() - datetime.timedelta(days=30))

    again = post(api_client, {"fid": "fid-abc", "platform": "android", "app_version": "3.5.0"})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    device = Device.objects.get()
    assert device.app_version == "3.5.0"
    assert timezone.now() - device.last_seen_at < datetime.timedelta(seconds=5)


def test_registering_reactivates_a_deactivated_device(api_client, learner):
    device = DeviceFactory(
        user=learner.user, fid="fid-abc", active=False, deactivated_reason="UNREGISTERED"
    )

    response = post(api_client, {"fid": "fid-abc", "platform": "android"})

    assert response.status_code == 200
    assert response.json()["active"] is True
    device.refresh_from_db()
    assert (device.active, device.deactivated_reason) == (True, "")


def test_an_address_someone_else_had_moves_to_the_new_user(api_client, learner):
    before = LearnerFactory()
    device = DeviceFactory(user=before.user, fid=None, token="shared-phone-token")

    response = post(api_client, {"token": "shared-phone-token", "platform": "android"})

    assert response.status_code == 201
    device.refresh_from_db()
    assert device.user == learner.user
    assert Device.objects.count() == 1
    # The previous user can no longer remove (or reach) it.
    assert token_client(before.user).delete(f"{URL}/{device.pk}").status_code == 404


def test_a_token_and_a_fid_known_as_two_devices_become_one(api_client, learner):
    DeviceFactory(user=learner.user, fid=None, token="old-token")
    by_fid = DeviceFactory(user=learner.user, fid="fid-abc")

    response = post(api_client, {"token": "old-token", "fid": "fid-abc", "platform": "ios"})

    assert response.status_code == 200
    assert response.json()["id"] == by_fid.pk
    assert list(Device.objects.values_list("fid", "token")) == [("fid-abc", "old-token")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "android"}, "token"),
        ({"fid": "", "platform": "android"}, "fid"),
        ({"fid": "fid-abc", "platform": "windows-phone"}, "platform"),
        ({"fid": "fid-abc"}, "platform"),
        ({"token": "t" * 513, "platform": "android"}, "token"),
        ({"fid": "fid-abc", "platform": "web", "app_version": "1" * 33}, "app_version"),
        ({"fid": "fid-abc", "platform": "web", "colour": "red"}, "colour"),
    ],
)
def test_an_invalid_registration_is_a_422_naming_the_field(api_client, body, field):
    response = post(api_client, body)

    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Device.objects.count() == 0


def test_deleting_my_device_removes_it(api_client, learner):
    device = DeviceFactory(user=learner.user)

    response = api_client.delete(f"{URL}/{device.pk}")

    assert response.status_code == 204
    assert not Device.objects.exists()


def test_someone_elses_device_or_an_unknown_one_is_not_found(api_client):
    other = DeviceFactory()

    assert api_client.delete(f"{URL}/{other.pk}").status_code == 404
    assert api_client.delete(f"{URL}/{other.pk + 1000}").status_code == 404
    assert Device.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_devices_need_a_signed_in_user():
    client = Client()
    assert post(client, {"fid": "fid-abc", "platform": "android"}).status_code == 401
    assert client.delete(f"{URL}/1").status_code == 401
