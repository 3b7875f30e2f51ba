"""Structured logs (structlog): JSON lines in production, readable lines in the quick-start.

Every line, ours or a library's through the standard `logging` module, carries what is bound for
the work it belongs to: `request_id` for a request (the caller's X-Request-ID when it is a sane
token, else a new one, echoed back in the response), `task_id` and `task` for a Celery task, and
`learner_id` once a bearer token names one. Never an email, a name, a token or a push address:
the bound values are ids, and messages log ids (tests/backend/test_logs.py reads a day's lines).
"""

import re
import uuid

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars
from structlog.typing import Processor

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, json_lines: bool, level: str, tasks_level: str) -> dict:
    """Django's LOGGING: the standard library's records rendered by structlog."""
    # JSON carries a traceback as a string field; the console renderer prints its own.
    renderer: list[Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if json_lines
        else [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *renderer,
                ],
                "foreign_pre_chain": [*_SHARED, structlog.stdlib.ExtraAdder()],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        # Wagtail's search-index and reference-index tasks log two lines per saved object.
        "loggers": {"django_tasks": {"level": tasks_level}},
    }


def configure_structlog() -> None:
    """structlog's own loggers (structlog.get_logger) go through the same handler."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


class RequestIdMiddleware:
    """Binds a request id to every line logged while the request runs, and returns it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        clear_contextvars()
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            clear_contextvars()
        response["X-Request-ID"] = request_id
        return response


def on_task_prerun(task_id=None, task=None, **kwargs) -> None:
    clear_contextvars()
    bind_contextvars(task_id=task_id, task=getattr(task, "name", None))


def on_task_postrun(**kwargs) -> None:
    clear_contextvars()
