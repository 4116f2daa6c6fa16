import pytest
from django.core.cache import cache

from tests.members.wechat_fake import MP_APP, MP_TEMPLATE, FakeWeChat


@pytest.fixture
def wechat(settings):
    """The official account configured for reminders, against the local fake of WeChat's API.

    The fake knows the reminder template and one follower, ``o-follower``; add others to ``followers``.
    """
    with FakeWeChat() as fake:
        settings.WECHAT_API_URL = fake.url
        settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET = MP_APP
        settings.WECHAT_MP_TEMPLATE_ID = MP_TEMPLATE
        settings.WECHAT_MP_MESSAGE_API = "template"
        settings.WECHAT_MP_TEMPLATE_FIELDS = {"title": "thing1", "body": "thing2", "time": "time3"}
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": "wechat-tests"}}
        cache.clear()
        fake.templates.add(MP_TEMPLATE)
        fake.followers.add("o-follower")
        yield fake
        cache.clear()
