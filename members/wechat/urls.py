"""allauth's URLs for the WeChat provider (weixin_login, weixin_callback) and the phone steps after it.

allauth includes this module under accounts/ because it is the package of the registered provider.
"""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns
from django.urls import path

from members.wechat import views
from members.wechat.provider import WeChatProvider

urlpatterns = default_urlpatterns(WeChatProvider) + [
    path("weixin/phone/", views.wechat_phone, name="wechat_phone"),
    path("weixin/phone/code/", views.wechat_code, name="wechat_code"),
    path("weixin/phone/name/", views.wechat_name, name="wechat_name"),
]
