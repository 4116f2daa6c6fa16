"""Open and close ballots whose scheduled time has come, send the 24-hour reminders, ask the
time-stamp authority again for the lifecycle events it could not stamp at the time, forget the vote
throttle's counts of windows that have ended, and send the WeChat and SMS messages that are due
(``messages_send_due``).

Run it every minute from cron/systemd. Safe on several hosts at once: ``single_run`` lets one run
act while overlapping ones step aside.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from config.jobs import single_run
from decisions import anchoring, services, throttle


class Command(BaseCommand):
    help = ("Open and close ballots whose scheduled opening or closing time has passed; remind those who "
            "have not voted on a ballot closing within 24 hours; ask the time-stamp authority for the "
            "lifecycle events it has not stamped yet; delete the vote throttle's ended windows; send the WeChat "
            "and SMS messages that are due.")

    @single_run("run_ballot_schedule")
    def handle(self, *args, **options):
        for ballot in services.ballots_run_schedule():
            self.stdout.write(f"{ballot.pk}\t{ballot.status}\t{ballot.title}")
        for ballot, count in services.ballots_send_reminders():
            if count:
                self.stdout.write(f"{ballot.pk}\treminded {count}\t{ballot.title}")
        stamped = anchoring.fetch_pending()  # after a TSA outage: retried every minute until it answers
        if stamped:
            self.stdout.write(f"time-stamped {stamped} event(s)")
        throttle.throttle_prune()
        # Last, so that this run's reminders that could not go at once are tried again next minute.
        call_command("messages_send_due", stdout=self.stdout)
