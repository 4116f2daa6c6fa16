"""allauth's WeChat provider, with the site's OAuth2 adapter (members/wechat/oauth.py).

Registered in place of allauth's own through ``SOCIALACCOUNT_PROVIDERS["weixin"]["provider_class"]``;
its URLs (``weixin_login``, ``weixin_callback``) and views come from this package.
"""

from allauth.socialaccount.providers.weixin.provider import WeixinAccount, WeixinProvider
from django.utils.translation import gettext_lazy as _

from members.wechat import OFFICIAL_ACCOUNT, app_kind
from members.wechat.oauth import WeChatOAuth2Adapter


class WeChatAccount(WeixinAccount):
    def to_str(self) -> str:
        return self.account.extra_data.get("nickname") or str(_("WeChat"))


class WeChatProvider(WeixinProvider):
    name = _("WeChat")
    account_class = WeChatAccount
    oauth2_adapter_class = WeChatOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        from django.conf import settings

        if app_kind(self.app) == OFFICIAL_ACCOUNT:
            return [settings.WECHAT_MP_SCOPE]
        return ["snsapi_login"]

    def extract_common_fields(self, data: dict) -> dict:
        # A nickname is not a name: the person gives their name when the account is made.
        return {}
