"""The OAuth2 exchange with WeChat, as allauth's WeChat adapter does it, with what the site needs.

Beyond allauth's own adapter: the authorisation page is the one of the app in use (QR code on a
computer, the official account's authorisation inside WeChat) and carries ``#wechat_redirect`` as
WeChat asks; the API's address comes from settings (an egress proxy, or a local fake in tests);
the token is fetched with GET as WeChat documents; WeChat's errors, which come as HTTP 200 with an
``errcode``, end on allauth's error page instead of a crash; with snsapi_base the profile is not
asked for (WeChat refuses it), the openid of the token answer is enough.
"""

import json

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.weixin.client import WeixinOAuth2Client
from allauth.socialaccount.providers.weixin.views import WeixinOAuth2Adapter
from django.conf import settings

from members.wechat import OFFICIAL_ACCOUNT, app_kind


class WeChatOAuth2Client(WeixinOAuth2Client):
    def get_redirect_url(self, authorization_url, scope, extra_params) -> str:
        # WeChat reads its parameters in a fixed order (allauth's client sorts them, which is that
        # order) and wants the fragment on every authorisation link.
        return super().get_redirect_url(authorization_url, scope, extra_params) + "#wechat_redirect"


class WeChatOAuth2Adapter(WeixinOAuth2Adapter):
    client_class = WeChatOAuth2Client
    access_token_method = "GET"

    @property
    def access_token_url(self) -> str:
        return f"{settings.WECHAT_API_URL}/sns/oauth2/access_token"

    @property
    def profile_url(self) -> str:
        return f"{settings.WECHAT_API_URL}/sns/userinfo"

    @property
    def authorize_url(self) -> str:
        if app_kind(self.get_provider().app) == OFFICIAL_ACCOUNT:
            return f"{settings.WECHAT_OPEN_URL}/connect/oauth2/authorize"
        return f"{settings.WECHAT_OPEN_URL}/connect/qrconnect"

    def complete_login(self, request, app, token, **kwargs):
        answer = kwargs.get("response") or {}
        openid = answer.get("openid")
        if not openid:
            raise OAuth2Error("WeChat's token answer has no openid")
        if "snsapi_base" in str(answer.get("scope", "")).split(","):
            profile = {key: answer[key] for key in ("openid", "unionid") if answer.get(key)}
        else:
            with get_adapter().get_requests_session() as session:
                response = session.get(self.profile_url,
                                       params={"access_token": token.token, "openid": openid, "lang": "zh_CN"})
                response.raise_for_status()
            try:
                # WeChat answers UTF-8 without saying so (text/plain): decode the bytes ourselves.
                profile = json.loads(response.content.decode("utf-8"))
            except ValueError as error:
                raise OAuth2Error("WeChat's profile answer is not JSON") from error
            if not isinstance(profile, dict) or profile.get("errcode") or profile.get("openid") != openid:
                code = profile.get("errcode") if isinstance(profile, dict) else None
                raise OAuth2Error(f"WeChat refused the profile (errcode {code})")
        return self.get_provider().sociallogin_from_response(request, profile)
