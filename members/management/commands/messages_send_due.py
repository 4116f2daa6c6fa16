"""Send the WeChat and SMS messages that are due: first tries a request could not send, and retries after back-off.

Also part of ``run_ballot_schedule`` (every minute). Safe beside other senders: each message is
claimed before it is sent, so none goes out twice. WeChat first, so that the SMS sent instead of
the WeChat messages that finally failed go out in the same run.
"""

from django.core.management.base import BaseCommand

from members.messaging.outbox import sms_send_due
from members.wechat.outbox import wechat_send_due


class Command(BaseCommand):
    help = ("Send the queued WeChat and SMS messages whose time has come (retries with back-off); fail those a "
            "crash interrupted.")

    def handle(self, *args, **options):
        wechat = wechat_send_due()
        if any(wechat.values()):
            self.stdout.write(f"WeChat: {wechat['sent']} sent of {wechat['tried']} tried; "
                              f"{wechat['interrupted']} interrupted; {wechat['by_sms']} sent by SMS instead")
        done = sms_send_due()
        if any(done.values()):
            self.stdout.write(f"SMS: {done['sent']} sent of {done['tried']} tried; "
                              f"{done['interrupted']} interrupted; {done['delivered']} delivered")
