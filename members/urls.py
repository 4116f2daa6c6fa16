from django.urls import path

from members import views
from members.wechat import views as wechat_views

app_name = "members"

urlpatterns = [
    path("join/", views.join_start, name="join_start"),
    path("join/committee/<int:pk>/", views.join_committee, name="join_committee"),
    path("join/compound/<int:pk>/", views.join_compound, name="join_compound"),
    path("join/building/<int:pk>/", views.join_building, name="join_building"),
    path("me/memberships/", views.my_memberships, name="my_memberships"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/residents/", views.committee_residents, name="committee_residents"),
    path("committees/<int:pk>/households/", views.committee_households, name="committee_households"),
    path("committees/<int:pk>/requests/", views.committee_requests, name="committee_requests"),
    path("committees/<int:pk>/requests/<int:request_pk>/", views.request_decide, name="request_decide"),
    path("committees/<int:pk>/roles/", views.committee_roles, name="committee_roles"),
    path("committees/<int:pk>/roles/<int:role_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("committees/<int:pk>/roster/", views.roster_import, name="roster_import"),
    path("committees/<int:pk>/roster/template.csv", views.roster_template, name="roster_template"),
    path("streets/<int:pk>/", views.street_detail, name="street_detail"),
    path("me/notifications/", views.notification_list, name="notification_list"),
    path("me/notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("me/notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("me/notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("me/notifications/settings/", views.notification_preferences, name="notification_preferences"),
    path("me/notifications/channel/", views.contact_channel, name="contact_channel"),
    path("me/wechat/", wechat_views.wechat_account, name="wechat_account"),
    path("me/wechat/<int:pk>/unlink/", wechat_views.wechat_unlink, name="wechat_unlink"),
]
