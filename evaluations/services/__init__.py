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
from evaluations.services.sheets import comment_tag, sheet_submit

__all__ = [
    "DEFAULT_DIMENSIONS", "DEFAULT_LEVELS", "CampaignSettings", "LevelSpec", "campaign_cancel", "campaign_close",
    "campaign_create", "campaign_launch", "campaign_open", "campaign_publish", "comment_tag", "evaluatees_of",
    "progress_record", "rate_of", "rectification_complete", "rectification_confirm", "rectification_file",
    "rectification_return", "rectifications_create", "results_compute", "sheet_submit",
]
