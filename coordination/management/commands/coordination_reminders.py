"""Remind owners of agreed actions that fall due, and flag overdue ones. Run it once a day (cron/systemd)."""

from django.core.management.base import BaseCommand

from config.jobs import single_run
from coordination import services


class Command(BaseCommand):
    help = ("Tell owners of coordination actions due within two days, and owners and organizers of overdue "
            "ones. Running it twice on a day sends nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("--days-before", type=int, default=2, help="Remind this many days before the due date.")

    @single_run("coordination_reminders")
    def handle(self, *args, days_before: int = 2, **options):
        sent = services.remind_due_actions(days_before=days_before)
        if options.get("verbosity", 1):
            self.stdout.write(f"{sent} reminders sent")
