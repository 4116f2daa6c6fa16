from django.urls import path

from evaluations import views

app_name = "evaluations"

urlpatterns = [
    # Organizers (one committee) and the street office (all its committees)
    path("committees/<int:pk>/evaluations/", views.committee_campaigns, name="committee_campaigns"),
    path("committees/<int:pk>/evaluations/new/", views.campaign_create, name="campaign_create"),
    path("streets/<int:pk>/evaluations/", views.street_campaigns, name="street_campaigns"),
    path("streets/<int:pk>/evaluations/launch/", views.street_launch, name="street_launch"),
    path("streets/<int:pk>/evaluations/dashboard/", views.street_dashboard, name="street_dashboard"),
    path("streets/<int:pk>/evaluations/chart/bars.json", views.BarChartJSON.as_view(), name="chart_bars"),
    path("streets/<int:pk>/evaluations/chart/trend.json", views.TrendChartJSON.as_view(), name="chart_trend"),
    path("streets/<int:pk>/evaluations/results.xlsx", views.street_export, name="street_export"),
    path("evaluations/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("evaluations/<int:pk>/scrutineers/", views.campaign_scrutineers, name="campaign_scrutineers"),
    path("evaluations/<int:pk>/do/<str:move>/", views.campaign_transition, name="campaign_transition"),
    path("evaluations/<int:pk>/sheet/", views.sheet_fill, name="sheet_fill"),
    path("evaluations/<int:pk>/results/", views.campaign_results, name="campaign_results"),
    path("evaluations/<int:pk>/report/", views.campaign_report, name="campaign_report"),
    path("evaluations/<int:pk>/results.xlsx", views.campaign_export, name="campaign_export"),
    # Agency contacts
    path("agency/evaluations/", views.agency_home, name="agency_home"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/do/<str:move>/", views.rectification_transition, name="rectification_transition"),
]
