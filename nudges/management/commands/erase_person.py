"""Erase a person on request (a data-protection erasure): `manage.py erase_person EMAIL`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from learning.models import Learner
from nudges.privacy import erase


class Command(BaseCommand):
    help = (
        "Erase what identifies the learner(s) with this email address: name, email, devices' push "
        "addresses, tokens, comments, the words sent to them; the ledger and answers stay, "
        "anonymous, so analytics stay right. Asks before it acts unless given --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's email address (any case).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, email: str, yes: bool = False, **options):
        email = email.strip()
        if "@" not in email or "\x00" in email:
            raise CommandError(f"Not an email address: {email!r}")
        learners = list(
            Learner.objects.filter(user__email__iexact=email).select_related("user").order_by("pk")
        )
        if not learners:
            raise CommandError(f"No learner has the email address {email!r}: nothing was erased.")
        for learner in learners:
            self.stdout.write(f"Learner {learner.pk}: {learner} ({learner.user.username})")
        if not yes:
            answer = input(f"Erase {len(learners)} person(s)? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing was erased.")
        now = timezone.now()
        for learner in learners:
            report = erase(learner, by="manage.py erase_person", now=now)
            figures = ", ".join(f"{n} {kind}" for kind, n in report.counts.items() if n)
            self.stdout.write(
                f"Erased learner {report.learner_id}: {figures or 'nothing else held'}."
            )
