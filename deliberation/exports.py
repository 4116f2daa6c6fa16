"""Results export (CSV, opens in Excel/WPS): the published counts, the verdict and the ledger heads."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import selectors
from deliberation.models import Ballot


def result_csv(ballot: Ballot) -> str:
    """The published result of ``ballot`` as CSV text (with a BOM so Excel reads it as UTF-8)."""
    if ballot.status != Ballot.Status.PUBLISHED or ballot.result is None:
        raise ValueError("Only a published result can be exported.")
    result = ballot.result
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([_("Ballot"), ballot.title])
    w.writerow([_("Residents' committee"), ballot.committee.name])
    w.writerow([_("Decision rule"), ballot.get_rule_display()])
    w.writerow([_("Secrecy"), ballot.get_secrecy_display()])
    w.writerow([_("Published at"), timezone.localtime(ballot.published_at).strftime("%Y-%m-%d %H:%M")])
    w.writerow([_("Voices entitled"), result["electorate"]["voices"], _("Floor area entitled (m²)"),
                result["electorate"]["area"] or ""])
    w.writerow([_("Voices that took part"), result["turnout"]["voices"], _("Floor area that took part (m²)"),
                result["turnout"]["area"] or ""])
    w.writerow([])
    w.writerow([_("Question"), _("Option"), _("Votes"), _("Floor area (m²)")])
    for question in result["questions"]:
        for option in question["options"]:
            w.writerow([question["text"], option["label"], option["count"], option["area"]])
        if question.get("rating"):
            rating = question["rating"]
            w.writerow([question["text"], _("Satisfaction rate (%)"), rating["rate"] or "", ""])
            w.writerow([question["text"], _("Weighted score"), rating["score"] or "", ""])
    w.writerow([])
    verdict = selectors.verdict(ballot, result)
    w.writerow([_("Verdict"), verdict.outcome.value])
    for line in verdict.lines:
        w.writerow(["", str(line)])
    w.writerow([])
    w.writerow([_("Electorate snapshot hash"), ballot.snapshot_hash])
    for label, heads in ((_("Ledger head at opening"), ballot.heads_at_open),
                         (_("Ledger head at close"), ballot.heads_at_close)):
        for chain, head in sorted(heads.items()):
            w.writerow([label, chain, head["seq"], head["hash"]])
    w.writerow([])
    w.writerow([_("Receipt codes counted")])
    for code in selectors.counted_receipts(ballot):
        w.writerow([code])
    return "\ufeff" + out.getvalue()
