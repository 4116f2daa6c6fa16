"""Expected answers of the WeChat sign-in URLs and of allauth's third-party account pages.

In the security world no WeChat application is configured (as on a site that has not registered
one): the WeChat sign-in and its callback send everybody to the sign-in page with a message, as do
the phone steps without a WeChat sign-in waiting in the session. A person's WeChat page is their own;
an identity can be unlinked only by the person it is linked to.
"""

from tests.security.access import LOGIN, REDIRECT, Entry, everyone, scoped
from tests.security.world import register_builder

ONLY_OWN = ("own",)


def build_wechat(world, side) -> None:
    from allauth.socialaccount.models import SocialAccount

    side.extra["wechat"] = SocialAccount.objects.create(user=side.resident, provider="weixin_mp",
                                                        uid=f"o-{side.committee.pk}")


register_builder(build_wechat)

EXPECTATIONS = {
    # allauth's pages: the outcome pages for everyone; the social sign-up form only with a sign-in
    # waiting, else back to the sign-in page (the WeChat adapter never sends anyone there: new
    # identities wait for the phone steps instead).
    "socialaccount_login_cancelled": Entry(get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "socialaccount_login_error": Entry(get=everyone(401, anonymous=401), sides=ONLY_OWN),  # allauth's status
    "socialaccount_signup": Entry(get=everyone(LOGIN), sides=ONLY_OWN),
    # allauth's page of third-party accounts is the person's own WeChat page (config/urls.py).
    "socialaccount_connections": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
    "wechat_connections": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
    "accounts/social/login/cancelled/": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
    "accounts/social/login/error/": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
    "accounts/social/signup/": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
    "accounts/social/connections/": Entry(get=everyone(REDIRECT, anonymous=REDIRECT), sides=ONLY_OWN),
    "weixin_login": Entry(get=everyone(LOGIN), sides=ONLY_OWN),
    "weixin_callback": Entry(get=everyone(LOGIN), sides=ONLY_OWN),
    "wechat_phone": Entry(get=everyone(LOGIN), sides=ONLY_OWN),
    "wechat_code": Entry(get=everyone(LOGIN), sides=ONLY_OWN),
    "wechat_name": Entry(get=everyone(LOGIN), sides=ONLY_OWN),
    "members:wechat_account": Entry(get=everyone(200), sides=ONLY_OWN),
    # Only the person it is linked to; 404 for everyone else, site admins too.
    "members:wechat_unlink": Entry(kwargs=lambda w, s: {"pk": s.extra["wechat"].pk}, get=scoped({"resident": 200}),
                                   post=scoped({"resident": REDIRECT})),
}
