from django.urls import path

from hearings.views import hearing as views

urlpatterns = [
    # Residents and the public
    path("hearings/", views.hearing_mine, name="hearing_mine"),
    path("hearings/<int:pk>/", views.hearing_detail, name="hearing_detail"),
    path("hearings/<int:pk>/notice/", views.hearing_notice, name="hearing_notice"),
    path("hearings/<int:pk>/qr.svg", views.hearing_qr, name="hearing_qr"),
    path("hearings/<int:pk>/material/<int:attachment_pk>/", views.hearing_attachment, name="hearing_attachment"),
    path("hearings/<int:pk>/register/", views.hearing_register, name="hearing_register"),
    path("hearings/<int:pk>/opinion/", views.hearing_opinion, name="hearing_opinion"),
    path("hearings/<int:pk>/objection/", views.hearing_objection, name="hearing_objection"),
    path("hearings/<int:pk>/minutes/<int:minutes_pk>/confirm/", views.hearing_minutes_confirm,
         name="hearing_minutes_confirm"),
    # Organizers
    path("committees/<int:pk>/hearings/", views.hearing_committee_list, name="hearing_committee_list"),
    path("committees/<int:pk>/hearings/new/", views.hearing_create, name="hearing_create"),
    path("committees/<int:pk>/hearings/settings/", views.hearing_settings, name="hearing_settings"),
    path("hearings/<int:pk>/manage/", views.hearing_manage, name="hearing_manage"),
    path("hearings/<int:pk>/edit/", views.hearing_edit, name="hearing_edit"),
    path("hearings/<int:pk>/material/new/", views.hearing_attachment_add, name="hearing_attachment_add"),
    path("hearings/<int:pk>/panel/new/", views.hearing_panel_add, name="hearing_panel_add"),
    path("hearings/<int:pk>/panel/<int:member_pk>/remove/", views.hearing_panel_remove, name="hearing_panel_remove"),
    path("hearings/<int:pk>/registrations/<int:registration_pk>/<str:decision>/", views.hearing_registration_decide,
         name="hearing_registration_decide"),
    path("hearings/<int:pk>/check-in/", views.hearing_check_in, name="hearing_check_in"),
    path("hearings/<int:pk>/statements/new/", views.hearing_statement_add, name="hearing_statement_add"),
    path("hearings/<int:pk>/vote/", views.hearing_vote, name="hearing_vote"),
    path("hearings/<int:pk>/minutes/", views.hearing_minutes_edit, name="hearing_minutes_edit"),
    path("hearings/<int:pk>/minutes/<int:minutes_pk>/paper/", views.hearing_minutes_paper,
         name="hearing_minutes_paper"),
    path("hearings/<int:pk>/minutes/<int:minutes_pk>/<str:action>/", views.hearing_minutes_move,
         name="hearing_minutes_move"),
    path("hearings/<int:pk>/objections/<int:objection_pk>/answer/", views.hearing_objection_answer,
         name="hearing_objection_answer"),
    path("hearings/<int:pk>/<str:action>/", views.hearing_transition, name="hearing_transition"),
]
