"""Open and close ballots whose scheduled time has come. Run it every minute from cron/systemd."""

from django.core.management.base import BaseCommand

from deliberation import services


class Command(BaseCommand):
    help = "Open and close ballots whose scheduled opening or closing time has passed."

    def handle(self, *args, **options):
        for ballot in services.ballots_run_schedule():
            self.stdout.write(f"{ballot.pk}\t{ballot.status}\t{ballot.title}")
