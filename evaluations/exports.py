"""XLSX export of published results, for the street office and supervising departments.

Written through ``config.spreadsheets``: names of committees, evaluatees and levels are text people typed.
"""

from django.utils.translation import gettext as _

from config.spreadsheets import XlsxFile
from evaluations.models import MIN_ANSWERS, Campaign, Result


def results_xlsx(campaigns: list[Campaign], rows: list[Result]) -> XlsxFile:
    """One sheet of result rows and one of campaigns (turnout, validity, ledger heads)."""
    book = XlsxFile()
    levels = {c.pk: list(c.levels.order_by("position")) for c in campaigns}
    width = max((len(v) for v in levels.values()), default=0)
    header = [_("Residents' committee"), _("Year"), _("Evaluatee"), _("Kind"), _("Supervising department"),
              _("Dimension")] + [_("Level %(n)s") % {"n": i + 1} for i in range(width)] + [
        _("Valid answers"), _("Not known"), _("Satisfaction rate (%)"), _("Weighted score"), _("Rank within kind"),
        _("Change against last year (points)")]
    ws = book.sheet(_("Results"), header)
    for row in rows:
        campaign_levels = levels[row.campaign_id]
        shown = row.answers >= MIN_ANSWERS
        counts = [f"{lv.label}: {row.counts.get(str(lv.position), 0)}" if shown else "" for lv in campaign_levels]
        counts += [""] * (width - len(counts))
        ws.row(*[
            row.campaign.committee.name, row.campaign.year, row.evaluatee.name, row.evaluatee.get_kind_display(),
            row.evaluatee.agency.supervising_department if row.evaluatee.agency else "",
            row.dimension.name if row.dimension else _("Overall"), *counts, row.answers, row.excluded,
            float(row.rate) if shown and row.rate is not None else None,
            float(row.score) if shown and row.score is not None else None,
            row.rank if shown else None, float(row.change) if shown and row.change is not None else None])
    info = book.sheet(_("Turnout and ledger"), [
        _("Residents' committee"), _("Year"), _("Evaluation"), _("Evaluators who took part"),
        _("Evaluators entitled"), _("Session valid"), _("Ledger chain"), _("Entries"), _("Head hash")])
    for campaign in campaigns:
        heads = sorted((campaign.ballot.heads_at_close or {}).items()) or [("", {"seq": "", "hash": ""})]
        for chain, head in heads:
            info.row(*[
                campaign.committee.name, campaign.year, campaign.title, campaign.turnout_voices,
                campaign.electorate_voices, _("yes") if campaign.valid else _("no"), chain, head["seq"],
                head["hash"]])
    return book
