from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms.apps import after_last_migrate
        from learning.people.roles import ensure_managers_group

        after_last_migrate(ensure_managers_group, dispatch_uid="learning.ensure_managers_group")

        from learning.cached import install_triggers

        # The learners' view versions (learning.cached), for the tables the models name now.
        after_last_migrate(install_triggers, dispatch_uid="learning.view_version_triggers")

        from wagtail.signals import published, unpublished

        from learning.signals import on_published, on_unpublished

        published.connect(on_published, dispatch_uid="learning.enrol_on_publish")
        unpublished.connect(on_unpublished, dispatch_uid="learning.end_on_unpublish")

        from django.contrib.auth import get_user_model

        from learning.people import signals as people_signals

        # An account deactivated or a role changed by any save (admin, Wagtail, shell).
        people_signals.connect(get_user_model())

        from django.db.models.signals import post_save

        from cms.models import MicroModule
        from learning.ledger.events import register_handler
        from learning.practice.cards import on_module_saved, on_modules_completed, on_steps_done

        # A module saved in this process (a publish, the shell, a test) has its questions parsed
        # again; other processes see a publish by its new last_published_at.
        post_save.connect(on_module_saved, sender=MicroModule, dispatch_uid="learning.questions")

        from learning.models import PracticeBudget
        from learning.practice.budget import forget

        # The budget as this process last read it is forgotten when it changes here; others
        # read it again within learning.practice.budget.SETTING_SECONDS.
        post_save.connect(forget, sender=PracticeBudget, dispatch_uid="learning.budget_saved")

        from django.db.models.signals import post_delete

        from cms.models import ChangeEvent, JourneyStep
        from learning.journeys.definitions import on_event_saved, on_step_changed

        # Likewise an event's steps (learning.journeys.definitions).
        post_save.connect(on_step_changed, sender=JourneyStep, dispatch_uid="learning.steps_saved")
        post_delete.connect(on_step_changed, sender=JourneyStep, dispatch_uid="learning.steps_gone")
        post_save.connect(on_event_saved, sender=ChangeEvent, dispatch_uid="learning.event_saved")

        register_handler("module_completed", on_modules_completed)
        register_handler("step_done", on_steps_done)

        from learning.journeys.celebrations import on_progress

        # After the cards' handlers: a journey's last step done is a moment to celebrate.
        register_handler("module_completed", on_progress)
        register_handler("step_done", on_progress)

        from cms.demo import register_loader
        from learning.demo.learners import load_demo_learners

        register_loader(load_demo_learners)

        from learning.demo.feedback import load_demo_feedback

        register_loader(load_demo_feedback)
