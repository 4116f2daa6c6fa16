"""WeChat: sign-in through allauth's WeChat provider, and reminders through the official account.

Two WeChat applications serve the site. On a computer, the Open Platform website app (网站应用)
shows a QR code; inside WeChat's own browser, the official account (公众号) authorises the visit.
Both are allauth apps of the provider ``weixin``, with the provider ids ``weixin_open`` and
``weixin_mp``; an identity (allauth's SocialAccount) has its app's id as ``provider``, so it always
finds its own app again, while ``weixin`` alone means "the app for this browser". The openid of a
``weixin_mp`` identity receives the reminders: the WeChat channel (``members.wechat.channel``)
puts them in the WeChat outbox (``members.wechat.outbox``), which sends them through WeChat's API
(``members.wechat.messages``).
"""

from django.http import HttpRequest

PROVIDER = "weixin"
OPEN_PLATFORM = "weixin_open"
OFFICIAL_ACCOUNT = "weixin_mp"
# "weixin" too: the identities of an Open Platform app entered in the admin without a provider id.
PROVIDER_IDS = (PROVIDER, OPEN_PLATFORM, OFFICIAL_ACCOUNT)


def in_wechat_browser(request: HttpRequest) -> bool:
    """Whether the page is open inside WeChat's own browser (its user agent says MicroMessenger)."""
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def app_kind(app) -> str:
    """Which of the two WeChat applications an allauth app is: OPEN_PLATFORM or OFFICIAL_ACCOUNT."""
    return OFFICIAL_ACCOUNT if app.provider_id == OFFICIAL_ACCOUNT else OPEN_PLATFORM
