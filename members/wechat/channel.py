"""WeChat as a way of being told: a notification's outward copy as an official-account message.

Offered to whoever linked WeChat through the official account, when the official account's
template is configured. Each copy is a row of the WeChat outbox (``members.wechat.outbox``),
written in the notifying transaction and sent after commit or by the scheduled job; a copy WeChat
finally does not take goes by SMS instead, within the SMS caps. The openids of a whole batch are
read in one query. Every recipient of one notification gets the same words: the copy says what the
notification says, never anything about another person.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy

from members.messaging import channels
from members.models import Notification, User
from members.wechat.messages import notification_message
from members.wechat.outbox import WeChat, wechat_enqueue_many
from members.wechat.selectors import official_account_openids


def _configured() -> bool:
    return bool(settings.WECHAT_MP_APP_ID and settings.WECHAT_MP_TEMPLATE_ID)


def reaching(users: list[User]) -> set[int]:
    """The ids of the people among ``users`` whom the official account can reach, in one query."""
    if not (_configured() and users):
        return set()
    return set(official_account_openids([user.pk for user in users]))


def deliver(notifications: list[Notification], *, committee_id: int | None = None) -> None:
    openids = official_account_openids({n.user_id for n in notifications}) if _configured() else {}
    copies = []
    for notification in notifications:
        if notification.user_id not in openids:
            continue
        data, url = notification_message(notification)
        copies.append(WeChat(openid=openids[notification.user_id], data=data, url=url, kind=notification.kind,
                             dedupe_key=f"notice:{notification.pk}", user_id=notification.user_id,
                             committee_id=committee_id, notification_id=notification.pk))
    wechat_enqueue_many(copies)
    # Unlinked since the channel was chosen for them (within this very transaction): told by SMS.
    unlinked = [n for n in notifications if n.user_id not in openids and n.user.phone]
    if unlinked:
        channels.get("sms").deliver(unlinked, committee_id=committee_id)


channels.register(channels.Channel(name="wechat", label=gettext_lazy("WeChat message (the official account)"),
                                   order=15, deliver=deliver, reaching=reaching,
                                   reaches=lambda user: user.pk in reaching([user])))
