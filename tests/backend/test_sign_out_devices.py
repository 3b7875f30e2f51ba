"""DELETE /auth/token also stops pushes to the device it was used on, so a shared phone does not
get the last person's nudges; and every sign-in through a token records the user's last login."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from nudges.models import Device
from tests.factories import LearnerFactory, token_client

pytestmark = pytest.mark.django_db


def register(client, fid):
    response = client.post("/api/v1/devices", {"fid": fid, "platform": "ios"}, "application/json")
    assert response.status_code in (200, 201)
    return Device.objects.get(fid=fid)


def test_signing_out_deactivates_the_device_registered_with_that_token_only():
    dana = LearnerFactory(user__username="dana").user
    phone, tablet = (
        token_client(dana, device_name="phone"),
        token_client(dana, device_name="tablet"),
    )
    on_phone, on_tablet = register(phone, "fid-phone"), register(tablet, "fid-tablet")

    assert phone.delete("/api/v1/auth/token").status_code == 204

    on_phone.refresh_from_db()
    on_tablet.refresh_from_db()
    assert (on_phone.active, on_phone.deactivated_reason) == (False, "signed out")
    assert on_tablet.active
    assert tablet.get("/api/v1/me").status_code == 200
    assert phone.get("/api/v1/me").status_code == 401


def test_the_next_person_on_a_shared_phone_registers_it_again():
    dana = LearnerFactory(user__username="dana").user
    eve = LearnerFactory(user__username="eve").user
    dana_phone = token_client(dana, device_name="Shared phone")
    register(dana_phone, "fid-shared")
    dana_phone.delete("/api/v1/auth/token")

    eve_phone = token_client(eve, device_name="Shared phone")
    device = register(eve_phone, "fid-shared")

    assert (device.user, device.active, device.deactivated_reason) == (eve, True, "")
    assert Device.objects.filter(fid="fid-shared").count() == 1
    # Dana signing out elsewhere later does not reach Eve's registration.
    token_client(dana, device_name="Laptop").delete("/api/v1/auth/token")
    device.refresh_from_db()
    assert device.active


def test_a_device_remembers_the_token_it_last_registered_with():
    dana = LearnerFactory(user__username="dana").user
    first = token_client(dana, device_name="phone")
    register(first, "fid-1")
    second = token_client(dana, device_name="phone")  # signs in again: the first token is revoked
    device = register(second, "fid-1")
    second.delete("/api/v1/auth/token")
    device.refresh_from_db()
    assert not device.active


def test_signing_in_records_the_last_login():
    user = LearnerFactory(user__username="dana", user__password="pw-for-tests").user
    assert user.last_login is None
    before = timezone.now()
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "dana", "password": "pw-for-tests", "device_name": "phone"},
        content_type="application/json",
    )
    assert response.status_code == 200
    last_login = User.objects.get(pk=user.pk).last_login
    assert last_login is not None
    assert before <= last_login <= timezone.now() + datetime.timedelta(seconds=1)
