from evaluations.views.agency import agency_home, rectification_detail, rectification_transition
from evaluations.views.campaigns import (
    campaign_create,
    campaign_detail,
    campaign_report,
    campaign_results,
    campaign_scrutineers,
    campaign_transition,
    committee_campaigns,
    street_campaigns,
    street_launch,
)
from evaluations.views.dashboard import BarChartJSON, TrendChartJSON, campaign_export, street_dashboard, street_export
from evaluations.views.sheet import sheet_fill

__all__ = [
    "BarChartJSON", "TrendChartJSON", "agency_home", "campaign_create", "campaign_detail", "campaign_export",
    "campaign_report", "campaign_results", "campaign_scrutineers", "campaign_transition", "committee_campaigns",
    "rectification_detail", "rectification_transition", "sheet_fill", "street_campaigns", "street_dashboard",
    "street_export", "street_launch",
]
