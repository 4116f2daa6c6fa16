from django.urls import include, path

from members import views
from members.wechat import views as wechat_views

app_name = "members"

urlpatterns = [
    path("join/", include([
        path("", views.join_start, name="join_start"),
        path("committee/<int:pk>/", views.join_committee, name="join_committee"),
        path("compound/<int:pk>/", views.join_compound, name="join_compound"),
        path("building/<int:pk>/", views.join_building, name="join_building"),
    ])),
    path("me/memberships/", views.my_memberships, name="my_memberships"),
    path("me/large-print/", views.large_print_set, name="large_print_set"),
    path("streets/<int:pk>/", views.street_detail, name="street_detail"),
    path("committees/<int:pk>/", include([
        path("", views.committee_detail, name="committee_detail"),
        path("residents/", views.committee_residents, name="committee_residents"),
        path("households/", views.committee_households, name="committee_households"),
        path("requests/", views.committee_requests, name="committee_requests"),
        path("requests/<int:request_pk>/", views.request_decide, name="request_decide"),
        path("roles/", views.committee_roles, name="committee_roles"),
        path("roles/<int:role_pk>/revoke/", views.role_revoke, name="role_revoke"),
        path("roster/", views.roster_import, name="roster_import"),
        path("roster/template.csv", views.roster_template, name="roster_template"),
    ])),
    path("me/notifications/", include([
        path("", views.notification_list, name="notification_list"),
        path("<int:pk>/open/", views.notification_open, name="notification_open"),
        path("<int:pk>/read/", views.notification_read, name="notification_read"),
        path("read-all/", views.notification_read_all, name="notification_read_all"),
        path("settings/", views.notification_preferences, name="notification_preferences"),
        path("channel/", views.contact_channel, name="contact_channel"),
    ])),
    path("me/wechat/", include([
        path("", wechat_views.wechat_account, name="wechat_account"),
        path("<int:pk>/unlink/", wechat_views.wechat_unlink, name="wechat_unlink"),
    ])),
]
