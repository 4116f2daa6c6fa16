"""Send the SMS messages that are due: first tries a request could not send, and retries after back-off.

Also part of ``run_ballot_schedule`` (every minute). Safe beside other senders: each message is
claimed before it is sent, so none goes out twice.
"""

from django.core.management.base import BaseCommand

from members.messaging.outbox import sms_send_due


class Command(BaseCommand):
    help = "Send the queued SMS messages whose time has come (retries with back-off); fail those a crash interrupted."

    def handle(self, *args, **options):
        done = sms_send_due()
        if any(done.values()):
            self.stdout.write(f"SMS: {done['sent']} sent of {done['tried']} tried; "
                              f"{done['interrupted']} interrupted; {done['delivered']} delivered")
