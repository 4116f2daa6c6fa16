"""Every write of the evaluations app."""

from evaluations.services.campaigns import (
    DEFAULT_DIMENSIONS,
    DEFAULT_LEVELS,
    CampaignSettings,
    LevelSpec,
    campaign_cancel,
    campaign_close,
    campaign_create,
    campaign_launch,
    campaign_open,
    campaign_publish,
    campaign_scrutineers_set,
    evaluatees_of,
)
from evaluations.services.rectification import (
    progress_record,
    rectification_complete,
    rectification_confirm,
    rectification_file,
    rectification_return,
    rectifications_create,
)
from evaluations.services.results import rate_of, results_compute
from evaluations.services.sheets import comments_unseal, sheet_submit

__all__ = [
    "DEFAULT_DIMENSIONS", "DEFAULT_LEVELS", "CampaignSettings", "LevelSpec", "campaign_cancel", "campaign_close",
    "campaign_create", "campaign_launch", "campaign_open", "campaign_publish", "campaign_scrutineers_set",
    "comments_unseal", "evaluatees_of", "progress_record", "rate_of", "rectification_complete",
    "rectification_confirm", "rectification_file", "rectification_return", "rectifications_create",
    "results_compute", "sheet_submit",
]
