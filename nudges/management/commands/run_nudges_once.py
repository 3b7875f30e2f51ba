"""One planning, dispatch and send pass now, in-process: for operators checking a deployment."""

import dataclasses

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from nudges.models import Nudge
from nudges.planning import plan_nudges

LISTED = 50


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}es" if noun.endswith("ch") else f"{n} {noun}s"


class Command(BaseCommand):
    help = "Plan the nudges due now, then dispatch and send the due ones, and print what happened."

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan-only", action="store_true", help="Plan, but neither dispatch nor send."
        )

    def handle(self, *args, plan_only: bool = False, **options):
        now = timezone.now()
        plan = plan_nudges(now=now)
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(plan.by_kind.items()))
        self.stdout.write(
            f"Planned {_count(plan.planned, 'nudge')} for {_count(plan.claimed, 'learner')} checked"
            f" ({plan.disabled} with nudges off){': ' + kinds if kinds else ''}."
        )
        nudges = (
            Nudge.objects.filter(pk__in=plan.nudge_ids[:LISTED])
            .select_related("learner__user")
            .order_by("planned_for", "pk")
        )
        for nudge in nudges:
            self.stdout.write(
                f"  #{nudge.pk} {nudge.kind} for {nudge.learner.user.get_username()}"
                f" at {nudge.planned_for:%Y-%m-%d %H:%M} UTC ({nudge.window}):"
                f" {nudge.title} | {nudge.body} | {nudge.deep_link}"
            )
        if len(plan.nudge_ids) > LISTED:
            self.stdout.write(f"  … and {len(plan.nudge_ids) - LISTED} more.")
        if plan_only:
            return

        from nudges import sending  # the sending half of the pipeline

        with transaction.atomic():
            batches = sending.dispatch_due(now=now)
        totals: dict[str, int] = {}
        for ids in batches:
            sent = sending.send(ids, now=timezone.now())
            for f in dataclasses.fields(sent):
                value = getattr(sent, f.name)
                if isinstance(value, int):
                    totals[f.name] = totals.get(f.name, 0) + value
        due = sum(len(ids) for ids in batches)
        summary = ", ".join(f"{name} {value}" for name, value in totals.items())
        self.stdout.write(
            f"Sent: {_count(due, 'nudge')} due in {_count(len(batches), 'batch')}"
            f"{': ' + summary if summary else ''}."
        )
