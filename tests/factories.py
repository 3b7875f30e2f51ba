"""Factories for the suite: build real rows through the same code paths authors use."""

import factory

from cms.models import JobTask, MicroModule, ModuleIndexPage


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
