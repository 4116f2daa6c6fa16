"""Expected answers of the decision core's URLs (format: tests/security/access/__init__.py).

Who may read a ballot (decisions.permissions / selectors.can_view): the committee's organizers
and verified residents, officers of its street, site admins. Drafts: organizers only.
"""

from tests.security.access import REDIRECT, Entry, everyone, scoped

VIEWERS = "resident party_member floor_leader organizer officer admin"
ORGANIZER = {"organizer admin": 200}


def ballot(attr):
    return lambda w, s: {"pk": getattr(s, attr).pk}


EXPECTATIONS = {
    "decisions:my_ballots": Entry(get=everyone(200), sides=("own",)),
    "decisions:ballot_detail": Entry(kwargs=ballot("ballot_open"), get=scoped({VIEWERS: 200})),
    "decisions:ballot_vote": Entry(kwargs=ballot("ballot_open"), get=scoped({VIEWERS: REDIRECT})),
    "decisions:ballot_receipt": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_published.pk, "code": s.receipt_published},
        get=scoped({"resident": 200})),
    "decisions:receipt_check": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200})),
    "decisions:ballot_results": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200})),
    "decisions:ballot_export": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200})),
    "decisions:ballot_bulletin": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200})),
    "decisions:committee_ballots": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "decisions:ballot_create": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "decisions:ballot_manage": Entry(kwargs=ballot("ballot_draft"), get=scoped(ORGANIZER)),
    "decisions:question_add": Entry(kwargs=ballot("ballot_draft"), get=scoped({"organizer admin": REDIRECT})),
    "decisions:question_remove": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_draft.pk, "question_pk": s.question_draft.pk},
        get=everyone(405), post=scoped({"organizer admin": REDIRECT})),
    "decisions:named_voters": Entry(kwargs=ballot("ballot_draft"), get=scoped({"organizer admin": REDIRECT})),
    "decisions:ballot_open": Entry(kwargs=ballot("ballot_draft"), get=scoped(ORGANIZER)),
    "decisions:ballot_close": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "decisions:ballot_publish": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "decisions:ballot_cancel": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "decisions:paper_batches": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER)),
    "decisions:paper_batch": Entry(kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk},
                                      get=scoped(ORGANIZER)),
    "decisions:paper_batch_confirm": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk}, get=scoped(ORGANIZER)),
    "decisions:paper_batch_discard": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk}, get=scoped(ORGANIZER)),
    "decisions:paper_sheet_remove": Entry(
        kwargs=lambda w, s: {"pk": s.ballot_open.pk, "batch_pk": s.batch.pk, "sheet_pk": s.sheet.pk},
        get=everyone(405), post=scoped({"organizer admin": REDIRECT})),
    # Organizers, and the floor leader of a building in the ballot.
    "decisions:assisted_vote": Entry(kwargs=ballot("ballot_open"),
                                        get=scoped({"organizer admin floor_leader": 200})),
    # The sealed ballot box. The world names no scrutineer: the organizer who opened a secret ballot
    # is its only one (1 of 1), so organizer (A) and organizer_other (B's ballots) are the scrutineers.
    # Naming the scrutineers of a draft: its organizers (an empty POST is a form with errors: 200).
    "decisions:ballot_scrutineers": Entry(kwargs=ballot("ballot_draft"), get=scoped(ORGANIZER)),
    # Taking a card: the ballot's scrutineers only; others, site admins included, 404. Once the
    # ballot is open no card can be made: the POST is refused with a message (back to the page).
    "decisions:ballot_card": Entry(kwargs=ballot("ballot_open"), get=scoped({"organizer": 200}),
                                      post=scoped({"organizer": REDIRECT})),
    # The box: seen by its scrutineers and the committee's organizers (site admins too); a card is
    # presented by a scrutineer only (an empty code: the form again, 200), anyone else's POST is 404.
    "decisions:ballot_box": Entry(kwargs=ballot("ballot_published"), get=scoped(ORGANIZER),
                                     post=scoped({"organizer": 200})),
    # The printable results notice: the organizers from opening on, every viewer once published; GET only.
    "decisions:ballot_notice": Entry(kwargs=ballot("ballot_open"), get=scoped(ORGANIZER), post=everyone(405)),
    # The sealed papers' hashes, after close: whoever may read the ballot; GET only.
    "decisions:ballot_box_hashes": Entry(kwargs=ballot("ballot_published"), get=scoped({VIEWERS: 200}),
                                            post=everyone(405)),
}
