"""How each person wants to be told, and the one function that sends a notification's outward copy.

A notification is always stored and listed on the site (``members.notifications.notify``); its
outward copy goes by the one channel the person chose (``ContactChoice``), or by the default:
e-mail when they have an address, else SMS when they have a phone, else the site only. What is
sent depends only on the notification (who was told what, by the caller's own rule), never on
anyone's vote.

Channels are a registry. An app adds one in its ``AppConfig.ready()`` with one ``Channel``:

    channels.register(Channel(name="wechat", label=_("WeChat"), order=15,
                               reaches=lambda user: user_has_linked_wechat(user),
                               deliver=send_wechat_copies))

and ``reaches`` says whether the channel can reach a person (a linked WeChat account); a channel
whose ``reaches`` asks the database also gives ``reaching(users)``, the ids of those it reaches
among a whole batch in one query.

``deliver(notifications, *, committee_id)`` is called inside the notifying transaction with the new notifications
(``.user`` loaded) of the people who chose that channel and whom it ``reaches``; it sends after
commit (``transaction.on_commit``) or writes its own outbox rows; ``committee_id`` (or None) is the
committee the notifications are about, for the per-committee caps. The choice then appears on the
person's page by itself; no migration is needed (``ContactChoice.channel`` holds the name).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.messaging.models import ContactChoice
from members.models import Notification, User

if TYPE_CHECKING:
    from members.messaging.outbox import Sms

# The notification's title goes into the "notice" template's one parameter; providers accept
# variables of up to 35 characters.
SMS_TITLE_CHARS = 35


@dataclass(frozen=True)
class Channel:
    name: str
    label: str | Promise
    deliver: Callable[..., None]  # deliver(notifications, *, committee_id)
    reaches: Callable[[User], bool]
    order: int = 100
    # The ids of the people among ``users`` whom the channel reaches, for a channel whose ``reaches``
    # asks the database: a batch is then one query, not one per person.
    reaching: Callable[[list[User]], set[int]] | None = None

    def reached(self, users: list[User]) -> set[int]:
        """The ids of the people among ``users`` this channel can reach now."""
        if self.reaching is not None:
            return self.reaching(users)
        return {user.pk for user in users if self.reaches(user)}


_registry: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    """Offer ``channel`` to everyone it reaches (call from ``AppConfig.ready()``)."""
    _registry[channel.name] = channel


def registered() -> list[Channel]:
    return sorted(_registry.values(), key=lambda c: (c.order, c.name))


def available_to(user: User) -> list[Channel]:
    """The channels that can reach ``user`` now, in the order the page lists them."""
    return [channel for channel in registered() if channel.reaches(user)]


def default_channel(user: User) -> str:
    if user.email:
        return "email"
    if user.phone:
        return "sms"
    return "site"


def get(name: str) -> Channel:
    """The registered channel of this name (KeyError if none)."""
    return _registry[name]


def channel_for(user: User, chosen: str | None = None, *, reached: bool | None = None) -> Channel:
    """The channel that carries ``user``'s outward copies: their choice while it reaches them, else the default.

    ``reached``: whether the chosen channel reaches them, when the caller asked for a whole batch.
    """
    channel = _registry.get(chosen or "")
    if channel is None or not (channel.reaches(user) if reached is None else reached):
        channel = _registry.get(default_channel(user)) or _registry["site"]
    return channel


def chosen_channel(user: User) -> str:
    """The name of the channel the person chose (or gets by default)."""
    choice = ContactChoice.objects.filter(user=user).values_list("channel", flat=True).first()
    return channel_for(user, choice).name


@transaction.atomic
def contact_choice_set(*, user: User, channel: str) -> ContactChoice:
    """Make ``channel`` the way ``user`` is told from now on."""
    if channel not in {c.name for c in available_to(user)}:
        raise ValidationError(_("That way of being told is not open to you: check your phone number or e-mail "
                                "address first."), code="channel_unavailable")
    choice, _created = ContactChoice.objects.update_or_create(user=user, defaults={"channel": channel})
    return choice


def send_outward(notifications: list[Notification], *, committee_id: int | None = None) -> None:
    """Send each new notification's outward copy by its person's channel (inside the notifying transaction)."""
    if not notifications:
        return
    users = {user.pk: user for user in User.objects.filter(pk__in={n.user_id for n in notifications})}
    choices = dict(ContactChoice.objects.filter(user_id__in=users).values_list("user_id", "channel"))
    choosers: dict[str, list[User]] = defaultdict(list)
    for user in users.values():
        if choices.get(user.pk) in _registry:
            choosers[choices[user.pk]].append(user)
    reached = set().union(*(_registry[name].reached(people) for name, people in choosers.items()))
    by_channel: dict[str, list[Notification]] = defaultdict(list)
    for notification in notifications:
        user = users.get(notification.user_id)
        if user is None or not user.is_active:
            continue
        notification.user = user
        channel = channel_for(user, choices.get(user.pk), reached=user.pk in reached)
        by_channel[channel.name].append(notification)
    for name, rows in by_channel.items():
        _registry[name].deliver(rows, committee_id=committee_id)


# --- The channels every site has -------------------------------------------------------------

def _deliver_email(notifications: list[Notification], *, committee_id: int | None = None) -> None:
    from members.notifications import send_notification_emails

    ids = [n.pk for n in notifications]
    transaction.on_commit(lambda: send_notification_emails(ids))


def sms_copy(notification: Notification, *, committee_id: int | None = None) -> Sms:
    """A notification's outward copy as an SMS (the "notice" template) to its person's phone (``.user`` loaded).

    Its key is the notification's: whichever way it comes to be sent (chosen, or instead of a
    message another channel could not deliver), a notification is texted at most once.
    """
    from members.messaging.outbox import Sms

    # People have no language of their own: the copy is in the site's.
    with translation.override(settings.LANGUAGE_CODE):
        title = notification.shown_title
    return Sms(phone=notification.user.phone, template="notice",
               params=[Truncator(title).chars(SMS_TITLE_CHARS)], kind=notification.kind,
               dedupe_key=f"notice:{notification.pk}", user_id=notification.user_id, committee_id=committee_id)


def _deliver_sms(notifications: list[Notification], *, committee_id: int | None = None) -> None:
    from members.messaging.outbox import sms_enqueue_many

    messages = [sms_copy(n, committee_id=committee_id) for n in notifications if n.user.phone]
    # Written once the notifying change has committed, in a short transaction of its own: the
    # outbox's writers take turns (see outbox), and a caller's transaction may hold other locks.
    transaction.on_commit(lambda: sms_enqueue_many(messages), robust=True)


def _deliver_nothing(notifications: list[Notification], *, committee_id: int | None = None) -> None:
    """The site's own list already has them."""


register(Channel(name="sms", label=gettext_lazy("Text message (SMS) to my phone"), order=10,
                 deliver=_deliver_sms, reaches=lambda user: bool(user.phone)))
register(Channel(name="email", label=gettext_lazy("E-mail"), order=20,
                 deliver=_deliver_email, reaches=lambda user: bool(user.email)))
register(Channel(name="site", label=gettext_lazy("Only on this site"), order=90,
                 deliver=_deliver_nothing, reaches=lambda user: True))
