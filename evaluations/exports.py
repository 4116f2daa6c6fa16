"""XLSX export of published results (openpyxl), for the street office and supervising departments."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from evaluations.models import MIN_ANSWERS, Campaign, Result

FORMULA_STARTS = ("=", "+", "-", "@")


def safe(value):
    """A text cell starting like a formula is prefixed with a quote so no spreadsheet runs it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def results_xlsx(campaigns: list[Campaign], rows: list[Result]) -> bytes:
    """One sheet of campaigns (turnout, validity, ledger heads) and one of result rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")[:31]
    levels = {c.pk: list(c.levels.order_by("position")) for c in campaigns}
    width = max((len(v) for v in levels.values()), default=0)
    header = [_("Residents' committee"), _("Year"), _("Evaluatee"), _("Kind"), _("Supervising department"),
              _("Dimension")] + [_("Level %(n)s") % {"n": i + 1} for i in range(width)] + [
        _("Valid answers"), _("Not known"), _("Satisfaction rate (%)"), _("Weighted score"), _("Rank within kind"),
        _("Change against last year (points)")]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        campaign_levels = levels[row.campaign_id]
        shown = row.answers >= MIN_ANSWERS
        counts = [f"{lv.label}: {row.counts.get(str(lv.position), 0)}" if shown else "" for lv in campaign_levels]
        counts += [""] * (width - len(counts))
        ws.append([safe(v) for v in [
            row.campaign.committee.name, row.campaign.year, row.evaluatee.name, row.evaluatee.get_kind_display(),
            row.evaluatee.agency.supervising_department if row.evaluatee.agency else "",
            row.dimension.name if row.dimension else _("Overall"), *counts, row.answers, row.excluded,
            float(row.rate) if shown and row.rate is not None else None,
            float(row.score) if shown and row.score is not None else None,
            row.rank if shown else None, float(row.change) if shown and row.change is not None else None]])
    info = wb.create_sheet(_("Turnout and ledger")[:31])
    info.append([_("Residents' committee"), _("Year"), _("Evaluation"), _("Evaluators who took part"),
                 _("Evaluators entitled"), _("Session valid"), _("Ledger chain"), _("Entries"), _("Head hash")])
    for campaign in campaigns:
        heads = sorted((campaign.ballot.heads_at_close or {}).items()) or [("", {"seq": "", "hash": ""})]
        for chain, head in heads:
            info.append([safe(v) for v in [
                campaign.committee.name, campaign.year, campaign.title, campaign.turnout_voices,
                campaign.electorate_voices, _("yes") if campaign.valid else _("no"), chain, head["seq"],
                head["hash"]]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
