"""Coordination meeting pages, in the ``coordination`` namespace (the paths are those they had under hearings)."""

from django.urls import path

from coordination import views

app_name = "coordination"

urlpatterns = [
    path("coordination/", views.coordination_mine, name="coordination_mine"),
    path("coordination/request/", views.coordination_request, name="coordination_request"),
    path("committees/<int:pk>/coordination/", views.coordination_dashboard, name="coordination_dashboard"),
    path("committees/<int:pk>/coordination/new/", views.coordination_create, name="coordination_create"),
    path("committees/<int:pk>/coordination/settings/", views.coordination_settings, name="coordination_settings"),
    path("streets/<int:pk>/coordination/", views.coordination_escalations, name="coordination_escalations"),
    path("coordination/<int:pk>/", views.coordination_detail, name="coordination_detail"),
    path("coordination/<int:pk>/do/<slug:move>/", views.coordination_move, name="coordination_move"),
    path("coordination/<int:pk>/schedule/", views.coordination_schedule, name="coordination_schedule"),
    path("coordination/<int:pk>/participants/", views.coordination_participant_add,
         name="coordination_participant_add"),
    path("coordination/<int:pk>/participants/<int:participant_pk>/remove/", views.coordination_participant_remove,
         name="coordination_participant_remove"),
    path("coordination/<int:pk>/statements/", views.coordination_statement_add, name="coordination_statement_add"),
    path("coordination/<int:pk>/conclude/", views.coordination_conclude, name="coordination_conclude"),
    path("coordination/<int:pk>/documents/<int:document_pk>/edit/", views.coordination_document_edit,
         name="coordination_document_edit"),
    path("coordination/<int:pk>/documents/<int:document_pk>/submit/", views.coordination_document_submit,
         name="coordination_document_submit"),
    path("coordination/<int:pk>/documents/<int:document_pk>/confirm/", views.coordination_document_confirm,
         name="coordination_document_confirm"),
    path("coordination/<int:pk>/documents/<int:document_pk>/paper/", views.coordination_document_paper,
         name="coordination_document_paper"),
    path("coordination/<int:pk>/documents/<int:document_pk>/correct/", views.coordination_document_correct,
         name="coordination_document_correct"),
    path("coordination/<int:pk>/actions/", views.coordination_action_add, name="coordination_action_add"),
    path("coordination/<int:pk>/actions/<int:action_pk>/remove/", views.coordination_action_remove,
         name="coordination_action_remove"),
    path("coordination/<int:pk>/actions/<int:action_pk>/progress/", views.coordination_action_progress,
         name="coordination_action_progress"),
    path("coordination/<int:pk>/attachments/<int:progress_pk>/", views.coordination_attachment,
         name="coordination_attachment"),
]
