"""Reads about WeChat identities."""

from collections.abc import Iterable

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from django.db.models import QuerySet
from django.http import HttpRequest

from members.models import User
from members.wechat import OFFICIAL_ACCOUNT, PROVIDER, PROVIDER_IDS


def wechat_identities(user: User) -> QuerySet[SocialAccount]:
    """A person's linked WeChat identities, oldest first."""
    return SocialAccount.objects.filter(user=user, provider__in=PROVIDER_IDS).order_by("date_joined", "pk")


def wechat_available(request: HttpRequest) -> bool:
    """Whether WeChat sign-in works in this browser: the app it needs is configured."""
    return bool(get_adapter(request).list_apps(request, provider=PROVIDER))


def official_account_openid(user: User) -> str | None:
    """The openid under which the official account knows a person (the latest linked), or None."""
    return official_account_openids([user.pk]).get(user.pk)


def official_account_openids(user_ids: Iterable[int]) -> dict[int, str]:
    """The openid under which the official account knows each of these people (the latest linked), in one query."""
    rows = (SocialAccount.objects.filter(user_id__in=set(user_ids), provider=OFFICIAL_ACCOUNT)
            .order_by("date_joined", "pk").values_list("user_id", "uid"))
    return dict(rows)  # the latest linked comes last and wins
