"""Open and close ballots whose scheduled time has come, and send the 24-hour reminders.

Run it every minute from cron/systemd. Safe on several hosts at once: ``single_run`` lets one run
act while overlapping ones step aside.
"""

from django.core.management.base import BaseCommand

from config.jobs import single_run
from deliberation import services


class Command(BaseCommand):
    help = ("Open and close ballots whose scheduled opening or closing time has passed; remind those who "
            "have not voted on a ballot closing within 24 hours.")

    @single_run("run_ballot_schedule")
    def handle(self, *args, **options):
        for ballot in services.ballots_run_schedule():
            self.stdout.write(f"{ballot.pk}\t{ballot.status}\t{ballot.title}")
        for ballot, count in services.ballots_send_reminders():
            if count:
                self.stdout.write(f"{ballot.pk}\treminded {count}\t{ballot.title}")
