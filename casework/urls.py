"""Residents' requests (诉求) and their 流转单, in the ``casework`` namespace."""

from django.urls import path

from casework.views import cases, queues

app_name = "casework"

urlpatterns = [
    path("requests/", queues.case_mine, name="case_mine"),
    path("requests/agency/", queues.agency_cases, name="agency_cases"),
    path("requests/agency/export.xlsx", queues.agency_export, name="agency_export"),
    path("requests/<int:pk>/", cases.case_detail, name="case_detail"),
    path("requests/<int:pk>/slip/", cases.case_slip, name="case_slip"),
    path("requests/<int:pk>/photos/<int:photo_pk>/", cases.case_photo, name="case_photo"),
    path("requests/<int:pk>/write/<slug:what>/", cases.case_write, name="case_write"),
    path("requests/<int:pk>/do/<slug:move>/", cases.case_move, name="case_move"),
    path("committees/<int:pk>/casework/", queues.committee_cases, name="committee_cases"),
    path("committees/<int:pk>/casework/new/", cases.case_file, name="case_file"),
    path("committees/<int:pk>/casework/heat.json", queues.HeatChartJSON.as_view(), name="committee_heat"),
    path("committees/<int:pk>/casework/export.xlsx", queues.committee_export, name="committee_export"),
    path("streets/<int:pk>/casework/", queues.street_cases, name="street_cases"),
]
