from django.apps import AppConfig


class NudgesConfig(AppConfig):
    name = "nudges"
    verbose_name = "Nudges"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from learning.ledger.events import register_handler
        from nudges.confirmations import on_steps_done
        from nudges.opens import on_nudges_opened

        register_handler("nudge_opened", on_nudges_opened)
        register_handler("step_done", on_steps_done)

        from learning.changes import register_handler as on_learner_changed
        from nudges.plan_data import wake_planner

        on_learner_changed(wake_planner)

        from learning.changes import (
            register_dates_moved_handler,
            register_deactivation_handler,
            register_pause_handler,
            register_withdrawal_handler,
        )
        from nudges.accounts import (
            on_accounts_deactivated,
            on_enrolments_withdrawn,
            on_journey_dates_moved,
            on_learner_paused,
        )

        register_deactivation_handler(on_accounts_deactivated)
        register_withdrawal_handler(on_enrolments_withdrawn)
        register_dates_moved_handler(on_journey_dates_moved)
        register_pause_handler(on_learner_paused)

        # After learning's loaders (nudges comes later in INSTALLED_APPS): it needs their learners.
        from cms.demo import register_loader
        from nudges.demo.history import load_demo_nudges

        register_loader(load_demo_nudges)
