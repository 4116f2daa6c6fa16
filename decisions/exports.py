"""Results export (CSV, opens in Excel/WPS): the published counts, the verdict and the ledger heads.

Written through ``config.spreadsheets``: titles, questions and options are text people typed.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from config.spreadsheets import CsvFile
from decisions import selectors
from decisions.models import Ballot


def result_csv(ballot: Ballot) -> CsvFile:
    """The published result of ``ballot`` as a CSV file."""
    if ballot.status != Ballot.Status.PUBLISHED or ballot.result is None:
        raise ValueError("Only a published result can be exported.")
    result = ballot.result
    w = CsvFile()
    w.row(_("Ballot"), ballot.title)
    w.row(_("Residents' committee"), ballot.committee.name)
    w.row(_("Decision rule"), ballot.get_rule_display())
    w.row(_("Secrecy"), ballot.get_secrecy_display())
    w.row(_("Published at"), timezone.localtime(ballot.published_at).strftime("%Y-%m-%d %H:%M"))
    w.row(_("Voices entitled"), result["electorate"]["voices"], _("Floor area entitled (m²)"),
          result["electorate"]["area"] or "")
    w.row(_("Voices that took part"), result["turnout"]["voices"], _("Floor area that took part (m²)"),
          result["turnout"]["area"] or "")
    w.row()
    w.row(_("Question"), _("Option"), _("Votes"), _("Floor area (m²)"))
    for question in result["questions"]:
        for option in question["options"]:
            w.row(question["text"], option["label"], option["count"], option["area"])
        if question.get("rating"):
            rating = question["rating"]
            w.row(question["text"], _("Satisfaction rate (%)"), rating["rate"] or "", "")
            w.row(question["text"], _("Weighted score"), rating["score"] or "", "")
    w.row()
    verdict = selectors.verdict(ballot, result)
    w.row(_("Verdict"), verdict.outcome.value)
    for line in verdict.lines:
        w.row("", str(line))
    w.row()
    w.row(_("Electorate snapshot hash"), ballot.snapshot_hash)
    for label, heads in ((_("Ledger head at opening"), ballot.heads_at_open),
                         (_("Ledger head at close"), ballot.heads_at_close)):
        for chain, head in sorted(heads.items()):
            w.row(label, chain, head["seq"], head["hash"])
    w.row()
    w.row(_("Receipt codes counted"))
    for code in selectors.counted_receipts(ballot):
        w.row(code)
    return w
