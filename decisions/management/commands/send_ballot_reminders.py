"""Remind those who have not voted on an open ballot closing within 24 hours (also part of run_ballot_schedule).

Safe to run as often as you like, even twice at once: each person is reminded once per ballot.
"""

from django.core.management.base import BaseCommand

from config.jobs import single_run
from decisions import services


class Command(BaseCommand):
    help = "Remind those who have not voted on an open ballot closing within 24 hours (each person once)."

    @single_run("send_ballot_reminders")
    def handle(self, *args, **options):
        total = 0
        for ballot, count in services.ballots_send_reminders():
            total += count
            self.stdout.write(f"{ballot.pk}\treminded {count}\t{ballot.title}")
        self.stdout.write(f"{total} reminders sent.")
