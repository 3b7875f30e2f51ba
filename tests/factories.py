"""Factories for the suite: build real rows through the same code paths authors use."""

import datetime
import uuid

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from cms.models import JobTask, MicroModule, ModuleIndexPage
from learning.models import Activity, Confirmation, Enrollment, Learner, Verb


class JobTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobTask
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Job task {n}")
    description = "Something people do at work."


def question(
    prompt="Which is right?", choices=(("Right", True), ("Wrong", False)), explanation="Because."
):
    return (
        "question",
        {
            "prompt": prompt,
            "choices": [{"text": text, "correct": correct} for text, correct in choices],
            "explanation": explanation,
        },
    )


def text(html="<p>A short explanation of the task.</p>"):
    return ("text", html)


def publish_module(
    *,
    title="A module",
    summary="What you can do after.",
    body=None,
    job_tasks=(),
    parent=None,
    live=True,
    **fields,
) -> MicroModule:
    """Create a MicroModule under the library and publish it (as the editor's Publish button does)."""
    parent = parent or ModuleIndexPage.objects.get()
    module = MicroModule(title=title, summary=summary, body=body or [text()], **fields)
    parent.add_child(instance=module)
    if job_tasks:
        module.job_tasks.set(job_tasks)
    revision = module.save_revision()
    if live:
        revision.publish()
    else:
        module.unpublish()
    module.refresh_from_db()
    return module


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests")


def newcomer(username: str = "dana", **fields):
    """A person as the HR import leaves them: an account with no usable password, no way in yet."""
    from django.contrib.auth.hashers import make_password

    fields.setdefault("first_name", "Dana")
    fields.setdefault("email", f"{username}@brightwave.example")
    user = UserFactory(username=username, **fields)
    user.password = make_password(None)
    user.save()
    return user


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Learner"

    user = factory.SubFactory(UserFactory)
    role = "Support agent"
    team = "Support"
    timezone = "Europe/London"


def token_client(user, *, device_name: str = "Test phone"):
    """A Django test client that sends a real bearer token, issued as the sign-in endpoint does."""
    from django.test import Client
    from django.utils import timezone

    from backend.auth import issue_token

    issued = issue_token(user, device_name=device_name, now=timezone.now())
    client = Client(headers={"Authorization": f"Bearer {issued.token}"})
    client.token = issued.token
    return client


_DAY = datetime.timedelta(days=1)


def add_reports(boss, event, *, count: int, first: int = 0) -> None:
    """`count` more reports, each enrolled, with a step waiting, a step done and a logged activity."""
    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    steps = list(event.steps.order_by("sort_order", "pk"))
    users = User.objects.bulk_create(
        [User(username=f"report{i}", last_name=f"R{i:04d}") for i in range(first, first + count)]
    )
    learners = Learner.objects.bulk_create(
        [
            Learner(
                user=u, manager=boss, timezone="Europe/Berlin", start_date=today - i % 20 * _DAY
            )
            for i, u in enumerate(users)
        ]
    )
    Enrollment.objects.bulk_create(
        [Enrollment(learner=lr, event=event, anchor_date=lr.start_date) for lr in learners]
    )
    Activity.objects.bulk_create(
        [
            Activity(
                learner=lr,
                client_id=uuid.uuid4(),
                verb=verb,
                step=step,
                category=category,
                minutes=10,
                confirmation=confirmation,
                occurred_at=now - (i % 7) * _DAY,
            )
            for lr in learners
            for i, (verb, step, category, confirmation) in enumerate(
                [
                    (Verb.STEP_DONE, steps[1], "experience", Confirmation.PENDING),
                    (Verb.STEP_DONE, steps[2], "social", Confirmation.NOT_NEEDED),
                    (Verb.ACTIVITY_LOGGED, None, "experience", Confirmation.NOT_NEEDED),
                    (Verb.NUDGE_OPENED, None, None, Confirmation.NOT_NEEDED),
                ]
            )
        ]
    )
