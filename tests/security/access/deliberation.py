"""Expected answers of the decision core's URLs (format: tests/security/access/__init__.py).

Who may read a ballot (deliberation.permissions / selectors.can_view): the committee's organizers
and verified residents, officers of its street, site admins. Drafts: organizers only.
"""

from tests.security.access import REDIRECT, Entry, everyone, scoped

VIEWERS = "resident party_member floor_leader organizer officer admin"
ORGANIZER = {"organizer admin": 200}


def ballot(attr):
    return lambda w, s: {"pk": getattr(s, attr).pk}


EXPECTATIONS = {
    "deliberation:my_ballots": Entry(get=everyone(200), sides=("own",)),
    "deliberation:ballot_detail": Entry(kwargs=ballot("ballot_open"), get=scoped({VIEWERS: 200})),
    "deliberation:ballot_vote": Entry(kwargs=ballot("ballot_open"), get=scoped({VIEWERS: REDIRECT})),
    "deliberation:ballot_receipt": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_published.pk, "code": s.receipt_published},
        get=scoped({"resident": 200})),
    "deliberation:receipt_check": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200})),
    "deliberation:ballot_results": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200})),
    "deliberation:ballot_export": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200})),
    "deliberation:committee_ballots": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "deliberation:ballot_create": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "deliberation:ballot_manage": Entry(kwargs=ballot("ballot_draft"), get=scoped(ORGANIZER)),
    "deliberation:question_add": Entry(kwargs=ballot("ballot_draft"), get=scoped({"organizer admin": REDIRECT})),
    "deliberation:question_remove": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_draft.pk, "question_pk": s.question_draft.pk},
        get=everyone(405), post=scoped({"organizer admin": REDIRECT})),
    "deliberation:named_voters": Entry(kwargs=ballot("ballot_draft"), get=scoped({"organizer admin": REDIRECT})),
    "deliberation:ballot_open": Entry(kwargs=ballot("ballot_draft"), get=scoped(ORGANIZER)),
    "deliberation:ballot_close": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "deliberation:ballot_publish": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "deliberation:ballot_cancel": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "deliberation:paper_batches": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "deliberation:paper_batch": Entry(kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk},
                                      get=scoped(ORGANIZER)),
    "deliberation:paper_batch_confirm": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk}, get=scoped(ORGANIZER)),
    "deliberation:paper_batch_discard": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk}, get=scoped(ORGANIZER)),
    "deliberation:paper_sheet_remove": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk, "sheet_pk": s.sheet.pk},
        get=everyone(405), post=scoped({"organizer admin": REDIRECT})),
    # Organizers, and the floor leader of a building in the ballot.
    "deliberation:assisted_vote": Entry(kwargs=ballot("ballot_open"),
                                        get=scoped({"organizer admin floor_leader": 200})),
}
