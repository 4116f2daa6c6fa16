from django.contrib import admin
from django.urls import include, path

from members import views as member_views

urlpatterns = [
    path("", member_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("deliberation.urls")),
    path("", include("hearings.urls")),
    path("", include("evaluations.urls")),
]
