"""Pages of the decision core: the resident's ballots and votes, and the organizer's desk."""

from decisions.views.box import ballot_box, box_hashes, card, scrutineers
from decisions.views.counting import (
    assisted_vote,
    paper_batch,
    paper_batch_confirm,
    paper_batch_discard,
    paper_batches,
    paper_sheet_remove,
)
from decisions.views.notice import ballot_notice
from decisions.views.organizing import (
    ballot_cancel,
    ballot_close,
    ballot_create,
    ballot_manage,
    ballot_open,
    ballot_publish,
    committee_ballots,
    named_voters,
    question_add,
    question_remove,
)
from decisions.views.voting import (
    ballot_bulletin,
    ballot_detail,
    ballot_export,
    ballot_receipt,
    ballot_results,
    ballot_vote,
    my_ballots,
    receipt_check,
)

__all__ = [
    "assisted_vote", "ballot_cancel", "ballot_close", "ballot_create", "ballot_detail", "ballot_export",
    "ballot_manage", "ballot_open", "ballot_publish", "ballot_receipt", "ballot_results", "ballot_vote",
    "committee_ballots", "my_ballots", "named_voters", "paper_batch", "paper_batch_confirm",
    "paper_batch_discard", "paper_batches", "paper_sheet_remove", "question_add", "question_remove",
    "receipt_check", "ballot_box", "box_hashes", "card", "scrutineers",
    "ballot_notice", "ballot_bulletin",
]
