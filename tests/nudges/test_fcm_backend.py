"""The FCM backend through firebase-admin itself, against the loopback FCM stand-in."""

import datetime
import json
import time
import warnings

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from nudges.backends import Push, Status, get_backend
from nudges.backends.fcm import FCMBackend

NOW = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=datetime.UTC)


def push(nudge_id=1, *, fid=None, token=None, device_id=None, kind="practice_due"):
    if fid is None and token is None:
        fid = f"fid-{nudge_id}"
    return Push(
        nudge_id=nudge_id,
        device_id=device_id or nudge_id,
        platform="android",
        fid=fid,
        token=token,
        kind=kind,
        title="2 questions on refunds",
        body="1 minute",
        deep_link="micromoments://practice?module=7",
        expires_at=NOW + datetime.timedelta(minutes=35),
    )


def test_get_backend_follows_the_setting(fcm, settings):
    assert isinstance(get_backend(), FCMBackend)
    settings.NUDGES_PUSH_BACKEND = "nudges.backends.console.ConsoleBackend"
    assert type(get_backend()).__name__ == "ConsoleBackend"


def test_a_message_carries_text_data_tag_collapse_ids_and_ttl(fcm):
    [outcome] = FCMBackend().send([push(7, fid="fid-abc")], now=NOW)

    assert outcome.status == Status.SENT
    assert outcome.message_id == "projects/micromoments-standin/messages/1"
    [received] = fcm.received
    assert received.project == "micromoments-standin"
    message = received.message
    assert message["fid"] == "fid-abc"
    assert "token" not in message
    assert message["notification"] == {"title": "2 questions on refunds", "body": "1 minute"}
    assert message["data"] == {
        "nudge_id": "7",
        "kind": "practice_due",
        "deep_link": "micromoments://practice?module=7",
    }
    assert message["android"] == {
        "collapse_key": "practice_due",
        "priority": "high",
        "ttl": "2100s",  # until the nudge expires: never delivered late
        "notification": {"tag": "nudge-7"},
    }
    assert message["apns"]["headers"] == {
        "apns-collapse-id": "nudge-7",
        "apns-expiration": str(int((NOW + datetime.timedelta(minutes=35)).timestamp())),
        "apns-priority": "10",
        "apns-push-type": "alert",
    }
    assert message["webpush"] == {
        "headers": {"TTL": "2100", "Urgency": "normal"},
        "notification": {"tag": "nudge-7"},
    }


def test_a_device_that_registered_a_token_gets_it_by_token_without_a_warning(fcm):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        [outcome] = FCMBackend().send([push(3, token="legacy-token")], now=NOW)
    assert outcome.status == Status.SENT
    assert fcm.received[0].message["token"] == "legacy-token"
    assert "fid" not in fcm.received[0].message


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        ("unregistered", Status.UNREGISTERED, "UNREGISTERED"),
        ("invalid_token", Status.INVALID_TOKEN, "INVALID_ARGUMENT"),
        ("invalid_payload", Status.FAILED, "INVALID_ARGUMENT"),
        ("quota_exceeded", Status.RETRYABLE, "QUOTA_EXCEEDED"),
        ("unavailable", Status.RETRYABLE, "UNAVAILABLE"),
        ("internal", Status.RETRYABLE, "INTERNAL"),
        ("drop", Status.RETRYABLE, "CONNECTION_ERROR"),
        ("sender_id_mismatch", Status.FAILED, "SENDER_ID_MISMATCH"),
    ],
)
def test_each_fcm_error_becomes_its_outcome(fcm, error, status, code):
    fcm.fail("fid-bad", error)
    outcomes = FCMBackend().send([push(1), push(2, fid="fid-bad"), push(3)], now=NOW)

    assert [o.status for o in outcomes] == [Status.SENT, status, Status.SENT]
    assert outcomes[1].error_code == code
    assert outcomes[1].message_id == ""


def test_quota_exceeded_reports_retry_after_without_sleeping_on_it(fcm, settings):
    settings.NUDGES_FCM_HTTP_RETRIES = 4  # the library's own default
    fcm.fail("fid-1", "quota_exceeded", retry_after="120")
    started = time.monotonic()
    [outcome] = FCMBackend().send([push(1)], now=NOW)

    assert time.monotonic() - started < 5
    assert outcome.status == Status.RETRYABLE
    assert outcome.retry_after == 120
    assert fcm.count(address="fid-1") == 1


def test_retry_after_as_an_http_date(fcm):
    fcm.fail("fid-1", "unavailable", retry_after="Mon, 23 Nov 2026 08:15:00 GMT")
    [outcome] = FCMBackend().send([push(1)], now=NOW)
    assert outcome.retry_after == 600


def test_firebase_admin_retries_a_5xx_inside_the_request(fcm, settings):
    settings.NUDGES_FCM_HTTP_RETRIES = 2
    fcm.fail("fid-1", "unavailable", times=1)
    fcm.fail("fid-2", "internal", times=2)
    outcomes = FCMBackend().send([push(1), push(2)], now=NOW)

    assert [o.status for o in outcomes] == [Status.SENT, Status.SENT]
    assert [r.status for r in fcm.received if r.address == "fid-1"] == [503, 200]
    assert [r.status for r in fcm.received if r.address == "fid-2"] == [500, 500, 200]


def test_a_dropped_connection_is_retried_once_by_the_library_then_reported(fcm):
    fcm.fail("fid-1", "drop")
    [outcome] = FCMBackend().send([push(1)], now=NOW)
    assert outcome.status == Status.RETRYABLE
    assert fcm.count(address="fid-1") == 2


def test_500_messages_go_in_one_call_with_one_oauth_token(fcm):
    outcomes = FCMBackend().send([push(i) for i in range(1, 501)], now=NOW)

    assert all(o.status == Status.SENT for o in outcomes)
    assert len({o.message_id for o in outcomes}) == 500
    assert fcm.requests_count == 500
    assert fcm.tokens_issued == 1
    with pytest.raises(ValueError, match="At most 500"):
        FCMBackend().send([push(i) for i in range(501)], now=NOW)


def test_an_empty_batch_sends_nothing(fcm):
    assert FCMBackend().send([], now=NOW) == []
    assert fcm.requests_count == 0


def test_a_service_account_the_token_endpoint_refuses_sends_nothing(fcm, tmp_path):
    account = fcm.service_account()
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    account["private_key"] = other_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "wrong-key.json"
    path.write_text(json.dumps(account))

    outcomes = FCMBackend(credentials_file=str(path)).send([push(1), push(2)], now=NOW)

    assert [o.status for o in outcomes] == [Status.RETRYABLE, Status.RETRYABLE]
    assert outcomes[0].error_code == "AUTH_ERROR"
    assert fcm.requests_count == 0
