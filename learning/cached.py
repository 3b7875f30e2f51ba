"""A learner's own views served from the cache while nothing they read has changed.

`per_learner` caches an API operation's rendered 200 response under the learner's `view_version`
and the published content's version, both read with the request's token (backend.token_read) and
both moved by the database itself on every write to what the views read (cms.versions' triggers,
installed for the tables below after every migrate). A new event, answer, enrolment, pause, a
buddy's new name or a publish is a new key: the next request builds the view afresh, in any
process, with any cache backend. What changes with time alone bounds how long an entry is served:
the learner's local midnight (step states, streaks and pauses move by the learner's days), the
next card falling due where the view shows due practice, and MICROMOMENTS_VIEW_CACHE_SECONDS
(retention figures decay by the minute).
"""

import datetime
import functools
import hashlib
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.decorators import decorate_view

from cms import versions
from learning.learners import learner_for
from learning.models import Learner

Until = Callable[[Learner, datetime.datetime], datetime.datetime]

_PENDING = "_micromoments_learner_view"
VERSION = "view_version"
# The planner's column moves on every check, and a learner's creation does not change: neither is
# a change their views show.
IGNORED_COLUMNS = ("next_nudge_check_at", "created_at")
# A buddy's name is shown in the journeys they confirm.
NAME_COLUMNS = ("first_name", "last_name", "username")


def local_midnight(learner: Learner, now: datetime.datetime) -> datetime.datetime:
    """The start of the learner's next day: when their step states and streak move on."""
    tomorrow = learner.local_date(now) + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=learner.tz)


def per_learner(*, until: Until = local_midnight):
    """Cache the decorated operation's 200 responses per learner and arguments (see the module);
    `until(learner, now)` is when what it shows changes with time alone."""

    def decorate(view):
        name = f"{view.__module__}.{view.__name__}"

        @functools.wraps(view)
        def cached_view(request: HttpRequest, **kwargs):
            longest = settings.MICROMOMENTS_VIEW_CACHE_SECONDS
            if not longest:
                return view(request, **kwargs)
            learner = learner_for(request)
            now = timezone.now()
            key = _key(name, learner, versions.content_version(request.user), kwargs)
            hit = cache.get(key)
            if hit is not None:
                expires, content_type, body = hit
                if now.timestamp() < expires:
                    return HttpResponse(body, content_type=content_type)
            expires_at = min(until(learner, now), now + datetime.timedelta(seconds=longest))
            setattr(request, _PENDING, (key, expires_at.timestamp()))
            return view(request, **kwargs)

        return decorate_view(_keep_rendered)(cached_view)

    return decorate


def _key(name: str, learner: Learner, content: int, kwargs: dict) -> str:
    arguments = hashlib.blake2b(repr(sorted(kwargs.items())).encode(), digest_size=8).hexdigest()
    return f"learner-view:{name}:{learner.pk}:{learner.view_version}:{content}:{arguments}"


def _keep_rendered(run):
    """Wrap an operation's run (authentication, the view, rendering): a response the view marked
    as cacheable is kept once rendered."""

    @functools.wraps(run)
    def run_and_keep(request: HttpRequest, *args, **kwargs):
        response = run(request, *args, **kwargs)
        pending = getattr(request, _PENDING, None)
        if pending is not None and response.status_code == 200:
            key, expires = pending
            timeout = expires - timezone.now().timestamp()
            if timeout > 0:
                cache.set(key, (expires, response["Content-Type"], response.content), timeout)
        return response

    return run_and_keep


def learner_statements(vendor: str) -> versions.Statements:
    """The triggers that move Learner.view_version: writes to every learning table with a row per
    learner, the learner's own row (but the ignored columns) and their buddies' names."""
    from django.contrib.auth import get_user_model

    learners = Learner._meta.db_table
    owned = [
        model._meta.db_table
        for model in apps.get_app_config("learning").get_models()
        if any(
            getattr(field, "related_model", None) is Learner and field.name == "learner"
            for field in model._meta.concrete_fields
        )
    ]
    watched = [
        field.column
        for field in Learner._meta.concrete_fields
        if field.column not in (*IGNORED_COLUMNS, VERSION, "id")
    ]
    owner = {"owners": learners, "version": VERSION}
    parts = [versions.owner_function(vendor, column="learner_id", **owner)]
    parts += [
        versions.owned_triggers(vendor, table, column="learner_id", **owner) for table in owned
    ]
    parts.append(
        versions.own_row_triggers(
            vendor, learners, version=VERSION, columns=watched, ignored=IGNORED_COLUMNS
        )
    )
    enrollments = apps.get_model("learning", "Enrollment")._meta.db_table
    parts.append(
        versions.related_triggers(
            vendor,
            get_user_model()._meta.db_table,
            columns=NAME_COLUMNS,
            owners_of=f'SELECT "learner_id" FROM "{enrollments}" WHERE "buddy_id" = {{id}}',  # noqa: S608
            **owner,
        )
    )
    create = [statement for made, _ in parts for statement in made]
    drop = [statement for _, dropped in reversed(parts) for statement in dropped]
    return create, drop


install_triggers = functools.partial(versions.install, learner_statements)
