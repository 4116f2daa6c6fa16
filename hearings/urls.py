from django.urls import path

from hearings.views import desk, public

app_name = "hearings"

urlpatterns = [
    # Residents and the public
    path("hearings/", public.hearing_mine, name="hearing_mine"),
    path("hearings/<int:pk>/", public.hearing_detail, name="hearing_detail"),
    path("hearings/<int:pk>/notice/", public.hearing_notice, name="hearing_notice"),
    path("hearings/<int:pk>/qr.svg", public.hearing_qr, name="hearing_qr"),
    path("hearings/<int:pk>/material/<int:attachment_pk>/", public.hearing_attachment, name="hearing_attachment"),
    path("hearings/<int:pk>/register/", public.hearing_register, name="hearing_register"),
    path("hearings/<int:pk>/opinion/", public.hearing_opinion, name="hearing_opinion"),
    path("hearings/<int:pk>/objection/", public.hearing_objection, name="hearing_objection"),
    path("hearings/<int:pk>/minutes/<int:minutes_pk>/confirm/", public.hearing_minutes_confirm,
         name="hearing_minutes_confirm"),
    # Organizers
    path("committees/<int:pk>/hearings/", desk.hearing_committee_list, name="hearing_committee_list"),
    path("committees/<int:pk>/hearings/new/", desk.hearing_create, name="hearing_create"),
    path("committees/<int:pk>/hearings/settings/", desk.hearing_settings, name="hearing_settings"),
    path("hearings/<int:pk>/manage/", desk.hearing_manage, name="hearing_manage"),
    path("hearings/<int:pk>/edit/", desk.hearing_edit, name="hearing_edit"),
    path("hearings/<int:pk>/material/new/", desk.hearing_attachment_add, name="hearing_attachment_add"),
    path("hearings/<int:pk>/panel/new/", desk.hearing_panel_add, name="hearing_panel_add"),
    path("hearings/<int:pk>/panel/<int:member_pk>/remove/", desk.hearing_panel_remove, name="hearing_panel_remove"),
    path("hearings/<int:pk>/registrations/<int:registration_pk>/<str:decision>/", desk.hearing_registration_decide,
         name="hearing_registration_decide"),
    path("hearings/<int:pk>/check-in/", desk.hearing_check_in, name="hearing_check_in"),
    path("hearings/<int:pk>/statements/new/", desk.hearing_statement_add, name="hearing_statement_add"),
    path("hearings/<int:pk>/vote/", desk.hearing_vote, name="hearing_vote"),
    path("hearings/<int:pk>/minutes/", desk.hearing_minutes_edit, name="hearing_minutes_edit"),
    path("hearings/<int:pk>/minutes/<int:minutes_pk>/paper/", desk.hearing_minutes_paper,
         name="hearing_minutes_paper"),
    path("hearings/<int:pk>/minutes/<int:minutes_pk>/<str:action>/", desk.hearing_minutes_move,
         name="hearing_minutes_move"),
    path("hearings/<int:pk>/objections/<int:objection_pk>/answer/", desk.hearing_objection_answer,
         name="hearing_objection_answer"),
    path("hearings/<int:pk>/<str:action>/", desk.hearing_transition, name="hearing_transition"),
]
