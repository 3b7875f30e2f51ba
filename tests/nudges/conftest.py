import pytest

from tests.fcm_standin import FcmStandIn


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The sending tests build hundreds of users; PBKDF2 would spend a minute hashing passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fcm(settings, tmp_path):
    """A loopback FCM (HTTP v1 + OAuth token endpoint) that the FCM backend is pointed at.

    firebase-admin's session retries 500/503 inside the request (4 times, with back-off) before
    send_each answers; NUDGES_FCM_HTTP_RETRIES=0 turns that off here, so a scripted error reaches
    our code after exactly one request. Tests of that in-request retry set it back.
    """
    from nudges.backends.fcm import close_apps

    with FcmStandIn() as standin:
        settings.NUDGES_PUSH_BACKEND = "nudges.backends.fcm.FCMBackend"
        settings.NUDGES_FCM_BASE_URL = standin.url
        settings.FIREBASE_CREDENTIALS_FILE = str(
            standin.write_service_account(tmp_path / "service-account.json")
        )
        settings.NUDGES_FCM_HTTP_RETRIES = 0
        try:
            yield standin
        finally:
            close_apps()
