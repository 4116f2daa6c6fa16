"""Escalate late residents' requests one 三不 level, remind those due tomorrow. Run it once a day (cron/systemd)."""

from django.core.management.base import BaseCommand

from casework import services
from config.jobs import single_run


class Command(BaseCommand):
    help = ("Escalate requests not answered by their due date (handler → committee → street), tell whoever "
            "answers for a request due tomorrow, and tell the street and the committee of late ones at the "
            "street. Running it twice on a day changes and sends nothing new.")

    @single_run("casework_reminders")
    def handle(self, *args, **options):
        done = services.escalate_overdue()
        if options.get("verbosity", 1):
            self.stdout.write(f"{done['escalated']} escalated, {done['reminded']} reminders, "
                              f"{done['overdue']} overdue notices")
