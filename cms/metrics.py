"""The Prometheus counters our code increments where the work happens (prometheus_client); the
project's /metrics (backend.metrics) exposes them beside the figures it counts in the database.
Here, in the lowest app, so that every app can count without importing the project."""

from prometheus_client import Counter, Histogram

EVENTS = Counter("micromoments_events", "Ledger events the API took, by outcome.", ["outcome"])
FCM_SECONDS = Histogram(
    "micromoments_fcm_batch_seconds", "FCM HTTP v1 send_each calls (up to 500 messages each)."
)
