"""Every write of the decision core. Hearings, evaluations and consultations call these."""

from decisions.services.ballots import (
    OptionSpec,
    ballot_cancel,
    ballot_close,
    ballot_create,
    ballot_open,
    ballot_publish,
    ballot_remind,
    ballot_set_named_voters,
    ballots_run_schedule,
    ballots_send_reminders,
    default_options,
    not_voted_user_ids,
    question_add,
    question_remove,
)
from decisions.services.box import box_present, boxes_expire, scrutineer_take_card, scrutineers_set
from decisions.services.casting import voices_of, vote_cast
from decisions.services.paper import (
    paper_batch_confirm,
    paper_batch_create,
    paper_batch_discard,
    paper_sheet_add,
    paper_sheet_remove,
)

__all__ = [
    "OptionSpec", "ballot_cancel", "ballot_close", "ballot_create", "ballot_open", "ballot_publish",
    "ballot_set_named_voters", "ballots_run_schedule", "default_options", "paper_batch_confirm",
    "paper_batch_create", "paper_batch_discard", "paper_sheet_add", "paper_sheet_remove", "question_add",
    "question_remove", "ballot_remind", "ballots_send_reminders", "not_voted_user_ids",
    "vote_cast", "voices_of", "box_present", "boxes_expire", "scrutineer_take_card", "scrutineers_set",
]
