"""`manage.py seed_demo`: load the Brightwave demo (accounts, job tasks, modules, events). Safe to run twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from cms.demo import run_loaders
from cms.demo.content import load_demo_content


class Command(BaseCommand):
    help = "Load the demo content and accounts (password: micromoments). Running it again changes nothing."

    def handle(self, *args, **options):
        now = timezone.now()
        result = load_demo_content(today=timezone.localdate(now))
        for kind in ("job tasks", "modules", "events"):
            self.stdout.write(
                f"{kind}: {result.created[kind]} created, {result.already_present[kind]} already present"
            )
        for line in run_loaders(now=now):
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready. Sign in as admin, demo-author, demo-reviewer, demo-manager, "
                "demo-learner or demo-learner2 (password: micromoments)."
            )
        )
