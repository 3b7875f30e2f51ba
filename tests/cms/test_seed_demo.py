"""`manage.py seed_demo`: a demo an evaluator can explore, loaded once however often it runs."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone
from wagtail.models import Page, Revision

from cms.blocks import QuestionBlock
from cms.demo.content import MODULES
from cms.models import ChangeEvent, EventAudience, JobTask, JourneyStep, MicroModule
from cms.modules import is_bite_sized
from tests.demo_snapshot import load_demo
from tests.factories import LearnerFactory, token_client

FORCE = "--i-know-this-creates-known-passwords"


def seed() -> str:
    """With the flag: pytest-django runs tests with DEBUG off, as production does."""
    out = io.StringIO()
    call_command("seed_demo", FORCE, stdout=out)
    return out.getvalue()


def questions_in(modules) -> list:
    return [child for module in modules for child in module.body if child.block_type == "question"]


class SeedDemoTests(TestCase):
    # The run's one seed_demo on the freshly migrated database (tests/demo_snapshot.py), copied in.
    @classmethod
    def setUpTestData(cls):
        cls.first_output = load_demo()
        cls.today = timezone.localdate()

    def test_with_debug_off_the_flag_runs_it(self):
        assert not settings.DEBUG  # pytest-django's default, and production's
        assert "Demo ready" in self.first_output

    def test_the_onboarding_journey_has_a_dozen_live_modules_with_questions(self):
        onboarding = ChangeEvent.objects.get(kind=ChangeEvent.Kind.ONBOARDING)
        module_ids = onboarding.steps.filter(kind="formal").values_list("module_id", flat=True)
        modules = MicroModule.objects.filter(pk__in=module_ids)
        assert modules.count() >= 12
        assert all(module.live for module in modules)
        assert len(questions_in(modules)) >= 15

    def test_the_onboarding_mixes_modules_peers_and_the_job_over_30_days(self):
        onboarding = ChangeEvent.objects.get(name="Customer support onboarding")
        assert onboarding.live
        assert onboarding.date is None  # anchored on each new hire's start date
        assert [rule.role for rule in onboarding.audience_rules.all()] == ["Support agent"]
        steps = list(onboarding.steps.order_by("sort_order"))
        assert {step.kind for step in steps} == {"formal", "social", "on_the_job"}
        offsets = [step.day_offset for step in steps]
        assert offsets == sorted(offsets)
        assert min(offsets) == 0
        assert 28 <= max(offsets) <= 30
        on_the_job = [step for step in steps if step.kind == "on_the_job"]
        assert sum(1 for step in on_the_job if step.job_task_id) >= 6
        assert {step.confirmed_by for step in steps} >= {"buddy", "manager"}

    def test_the_launch_has_modules_before_and_after_launch_day(self):
        launch = ChangeEvent.objects.get(kind=ChangeEvent.Kind.PRODUCT_LAUNCH)
        assert launch.live
        assert launch.date == self.today + timedelta(days=7)
        assert [rule.team for rule in launch.audience_rules.all()] == ["Support"]
        formal = launch.steps.filter(kind="formal").select_related("module")
        assert any(step.day_offset < 0 and step.module.live for step in formal)
        assert any(step.day_offset > 0 and step.module.live for step in formal)

    def test_there_are_job_tasks_with_synonyms_and_modules(self):
        tasks = JobTask.objects.prefetch_related("modules")
        assert tasks.count() >= 8
        for task in tasks:
            assert task.description
            assert len(task.synonym_list) >= 3, task.name
            assert any(module.live for module in task.modules.all()), task.name

    def test_every_module_is_bite_sized_and_publishable(self):
        modules = MicroModule.objects.all()
        assert modules.count() >= 12
        for module in modules:
            assert is_bite_sized(module.estimated_minutes), (module.title, module.estimated_minutes)
            assert module.summary
            module.body.stream_block.clean(module.body)  # what the editor's Publish checks

    def test_every_question_has_a_correct_answer_and_an_explanation(self):
        questions = questions_in(MicroModule.objects.all())
        assert len(questions) >= 15
        for child in questions:
            QuestionBlock().clean(child.value)
            assert child.value["explanation"]

    def test_the_demo_accounts_sign_in_with_the_demo_password(self):
        admin = authenticate(username="admin", password="micromoments")
        author = authenticate(username="demo-author", password="micromoments")
        assert admin is not None
        assert admin.is_superuser
        assert author is not None
        assert not author.is_superuser
        assert author.has_perm("wagtailadmin.access_admin")
        assert author.has_perm("cms.add_jobtask")

    def test_running_it_twice_changes_nothing(self):
        models = [
            MicroModule,
            Page,
            Revision,
            JobTask,
            ChangeEvent,
            EventAudience,
            JourneyStep,
            get_user_model(),
        ]
        before = {model: model.objects.count() for model in models}
        output = seed()
        assert {model: model.objects.count() for model in models} == before
        assert f"modules: 0 created, {len(MODULES)} already present" in output
        assert f"modules: {len(MODULES)} created" in self.first_output

    def test_a_refund_question_finds_refunds_first(self):
        client = token_client(LearnerFactory(user__username="dana").user)
        response = client.get("/api/v1/search", {"q": "how do I give a customer their money back"})
        assert response.status_code == 200
        first = response.json()["results"][0]
        assert "refund" in first["title"].lower(), first


@pytest.mark.django_db
def test_with_debug_off_it_refuses_and_writes_nothing_unless_forced(settings):
    settings.DEBUG = False
    users, pages = get_user_model().objects.count(), Page.objects.count()
    out = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("seed_demo", stdout=out)
    message = str(refusal.value)
    assert "DEBUG is off" in message
    assert "superuser" in message
    assert "micromoments" in message  # says which password it would have published
    assert FORCE in message
    assert "nothing was written" in message
    assert out.getvalue() == ""
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(username="admin").exists()
    assert Page.objects.count() == pages
