"""WeChat as a way of being told: a notification's outward copy as an official-account message.

Offered to whoever linked WeChat through the official account, when the official account's
template is configured. The copies of one notifying change are sent once it has committed, at most
``SMS_SEND_AT_ONCE`` of them in the request; a copy WeChat does not take (the person stopped
following the account, WeChat busy or unreachable) and every copy beyond that number go by SMS
instead, through the outbox with its caps, retries and scheduled job, so the person is still told.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy

from members.messaging import channels
from members.models import Notification, User
from members.wechat.messages import notification_send
from members.wechat.selectors import official_account_openid


def reaches(user: User) -> bool:
    configured = bool(settings.WECHAT_MP_APP_ID and settings.WECHAT_MP_TEMPLATE_ID)
    return configured and official_account_openid(user) is not None


def deliver(notifications: list[Notification], *, committee_id: int | None = None) -> None:
    now, later = notifications[:settings.SMS_SEND_AT_ONCE], notifications[settings.SMS_SEND_AT_ONCE:]

    def send() -> None:
        missed = [n for n in now if not notification_send(n).sent]
        by_sms = [n for n in missed + later if n.user.phone]
        if by_sms:
            with transaction.atomic():
                channels.channel_for(by_sms[0].user, "sms").deliver(by_sms, committee_id=committee_id)

    transaction.on_commit(send, robust=True)


channels.register(channels.Channel(name="wechat", label=gettext_lazy("WeChat message (the official account)"),
                                   order=15, deliver=deliver, reaches=reaches))
