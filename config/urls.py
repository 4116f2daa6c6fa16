from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from api.v1 import api as api_v1
from members import views as member_views

urlpatterns = [
    path("", member_views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says; the icon lives with the other static files.
    # (resolved at the first request: the static files' manifest may not exist when the URLconf loads).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"), permanent=True)),
    # A person's WeChat identities are shown, and unlinked, on their own page (one place, one service):
    # allauth's page of third-party accounts, which matches this address after us, sends there.
    path("accounts/3rdparty/", RedirectView.as_view(pattern_name="members:wechat_account"),
         name="wechat_connections"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("decisions.urls")),
    path("", include("deliberation.urls")),
    path("", include("hearings.urls")),
    path("", include("coordination.urls")),
    path("", include("evaluations.urls")),
    path("", include("casework.urls")),
    path("", include("api.urls")),
    # The open data API, version 1 (docs/API.md): mounted here, as django-ninja names its URLs "api_v1:…".
    path("api/v1/", api_v1.urls),
]

if settings.BENCH:  # SANHUI_BENCH=1, set only by `make bench` (bench/run.py); tests/test_bench_floor.py
    from django.views.decorators.csrf import csrf_exempt

    from bench.floor import floor_page, floor_vote

    urlpatterns += [path("bench/floor/", csrf_exempt(floor_vote), name="bench_floor"),
                    path("bench/page/", floor_page, name="bench_page")]
