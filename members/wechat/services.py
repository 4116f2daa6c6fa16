"""Every write of WeChat sign-in: linking and unlinking WeChat identities (allauth SocialAccounts)."""

import logging

from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from members.models import User
from members.services import person_ensure, stamp
from members.wechat import PROVIDER_IDS

logger = logging.getLogger(__name__)


@transaction.atomic
def wechat_sign_in_by_phone(*, phone: str, provider: str, uid: str, extra_data: dict,
                            full_name: str = "") -> tuple[User, SocialAccount]:
    """Link a WeChat identity to the account of a phone just proven by SMS code, or make that account.

    ``phone`` must have been proven by the caller (the code step); it becomes the account's verified
    phone. Without an account for it, ``full_name`` is needed to make one.
    """
    if provider not in PROVIDER_IDS or not uid:
        raise ValidationError(_("This is not a WeChat identity."), code="not_wechat")
    linked = SocialAccount.objects.select_for_update().filter(provider=provider, uid=uid).first()
    user = User.objects.select_for_update().filter(phone=phone).first()
    if linked is not None and (user is None or linked.user_id != user.pk):
        raise ValidationError(_("This WeChat is already linked to another account."), code="linked_elsewhere")
    if user is None:
        full_name = full_name.strip()
        if not full_name:
            raise ValidationError(_("Enter your name."), code="name_required")
        try:
            with transaction.atomic():
                user = person_ensure(full_name=full_name, phone=phone, by=None)
        except IntegrityError as error:  # an account made for this phone at this very moment elsewhere
            raise ValidationError(_("This phone number got an account a moment ago. Please sign in again."),
                                  code="phone_taken") from error
    if not user.phone_verified:
        user.phone_verified = True
        stamp(user, user).save(update_fields=["phone_verified"])
    if linked is None:
        try:
            with transaction.atomic():
                linked = SocialAccount.objects.create(user=user, provider=provider, uid=uid, extra_data=extra_data)
        except IntegrityError as error:  # the same identity linked at this very moment elsewhere
            raise ValidationError(_("This WeChat is already linked to another account."),
                                  code="linked_elsewhere") from error
        logger.info("WeChat identity (%s) linked to user %s", provider, user.pk)
    return user, linked


@transaction.atomic
def wechat_identity_unlink(*, account: SocialAccount, by: User) -> None:
    """Unlink one of a person's own WeChat identities; they still sign in by phone (code or password)."""
    account = SocialAccount.objects.select_for_update().filter(pk=account.pk).first()
    if account is None or account.user_id != by.pk or account.provider not in PROVIDER_IDS:
        raise PermissionDenied(_("You can only unlink your own WeChat."))
    account.delete()
    logger.info("WeChat identity (%s) unlinked from user %s", account.provider, by.pk)
