"""`manage.py seed_demo`: load the Brightwave demo (accounts, job tasks, modules, events). Safe to run twice.

The demo accounts, a superuser among them, share a published password: the command refuses to run
with DEBUG off (a production setting) unless told explicitly that this is what is wanted.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cms.demo import run_loaders
from cms.demo.content import load_demo_content

FORCE_FLAG = "--i-know-this-creates-known-passwords"


class Command(BaseCommand):
    help = "Load the demo content and accounts (password: micromoments). Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            FORCE_FLAG,
            action="store_true",
            dest="known_passwords",
            help=(
                "Run even with DEBUG off, creating the demo accounts (the superuser `admin` "
                "among them) with the published password `micromoments`."
            ),
        )

    def handle(self, *args, known_passwords: bool = False, **options):
        if not settings.DEBUG and not known_passwords:
            raise CommandError(
                "seed_demo creates a superuser (admin) and other accounts with the published "
                "password 'micromoments', and DEBUG is off (DJANGO_DEBUG=0), as in production: "
                f"nothing was written. Pass {FORCE_FLAG} if that is really what you want."
            )
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
