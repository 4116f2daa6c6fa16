"""WeChat: sign-in through allauth's WeChat provider, and reminders through the official account.

Two WeChat applications serve the site. On a computer, the Open Platform website app (网站应用)
shows a QR code; inside WeChat's own browser, the official account (公众号) authorises the visit.
Both are allauth apps of the provider ``weixin``; the official account's has the provider id
``weixin_mp``, which is also the ``provider`` of the identities it links (SocialAccount), whose
openid receives the reminders (``members.wechat.messages``).
"""

from django.http import HttpRequest

OPEN_PLATFORM = "weixin"
OFFICIAL_ACCOUNT = "weixin_mp"
PROVIDER_IDS = (OPEN_PLATFORM, OFFICIAL_ACCOUNT)


def in_wechat_browser(request: HttpRequest) -> bool:
    """Whether the page is open inside WeChat's own browser (its user agent says MicroMessenger)."""
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def app_kind(app) -> str:
    """Which of the two WeChat applications an allauth app is: OPEN_PLATFORM or OFFICIAL_ACCOUNT."""
    return OFFICIAL_ACCOUNT if app.provider_id == OFFICIAL_ACCOUNT else OPEN_PLATFORM
