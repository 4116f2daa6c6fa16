"""Check the decision core against its ledger; what ``manage.py verify_audit`` runs. Reads only.

Every fact is compared with an independent record of it: each chain is recomputed from its
genesis; the register and contents rows are matched one for one with their chain entries; the
electorate with its snapshot hash; the chain heads with those recorded at opening and close (in
the ballot row, its history and, with ``--expect-head``, a printed export); a published result
with a recount of the stored ballots. Problems name a chain entry (``b7:contents#12``) or a row
(``deliberation_secretchoice row 41``), never a voter of a secret ballot.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from decisions.audit.ballot import BallotAudit
from decisions.audit.common import CHAIN_RE, ExpectedHead, Problem, first_difference
from decisions.models import Ballot, LedgerEntry

__all__ = ["ExpectedHead", "Problem", "audit", "first_difference"]


def audit(*, ballots: Iterable[Ballot] | None = None, expect_heads: Iterable[ExpectedHead] = (),
          on_ballot: Callable[[Ballot, list[Problem]], None] | None = None) -> list[Problem]:
    """Check ``ballots`` (default: all, and chains of no ballot); return every problem, first first."""
    expected: dict[int, list[ExpectedHead]] = defaultdict(list)
    for head in expect_heads:
        expected[head.ballot_id].append(head)
    problems: list[Problem] = []
    for ballot in Ballot.objects.order_by("pk") if ballots is None else ballots:
        found = BallotAudit(ballot, expected.pop(ballot.pk, [])).run()
        if on_ballot is not None:
            on_ballot(ballot, found)
        problems += found
    for ballot_id, heads in sorted(expected.items()):  # heads of ballots not checked above
        ballot = Ballot.objects.filter(pk=ballot_id).first()
        if ballot is None:
            problems.append(Problem(ballot_id, "a head was given for a ballot that does not exist",
                                    chain=heads[0].chain, seq=heads[0].seq))
            continue
        audit_ = BallotAudit(ballot, heads)
        audit_.check_expected_heads()
        problems += audit_.problems
    if ballots is None:
        problems += _stray_chains()
    return problems


def _stray_chains() -> list[Problem]:
    """Chains that belong to no ballot (a ballot deleted behind the application's back)."""
    existing = set(Ballot.objects.values_list("pk", flat=True))
    problems = []
    for chain in LedgerEntry.objects.order_by("chain").values_list("chain", flat=True).distinct():
        match = CHAIN_RE.match(chain)
        if match is None:
            problems.append(Problem(None, "a chain with a name no ballot uses", chain=chain))
        elif int(match["ballot"]) not in existing:
            problems.append(Problem(int(match["ballot"]), "the chain of a ballot that no longer exists",
                                    chain=chain))
    return problems
