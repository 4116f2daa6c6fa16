"""Paper ballots: one organizer enters a batch, a second one confirms it, then it counts."""

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import ledger
from decisions.models import Ballot, Channel, PaperBatch, PaperSheet, Participation, VoiceHolder
from decisions.services.ballots import _locked, _require_organizer
from decisions.services.casting import choose_options, receipt_code, record_contents, sheets_seal, voices_of
from members.models import User


def _require_open(ballot: Ballot) -> None:
    if ballot.status != Ballot.Status.OPEN:
        raise ValidationError(_("Paper sheets can only be entered while the ballot is open."), code="not_open")


def _voice_free(ballot: Ballot, user: User):
    voices = voices_of(ballot, user)
    if not voices:
        raise ValidationError(_("%(name)s is not on the electorate of this ballot.") % {"name": user},
                              code="not_entitled")
    if Participation.objects.filter(voice=voices[0]).exists():
        raise ValidationError(_("%(name)s has already voted.") % {"name": user}, code="already_voted")
    return voices[0]


@transaction.atomic
def paper_batch_create(*, ballot: Ballot, by: User, issued: int, returned: int, void: int,
                       voters: Iterable[User], note: str = "") -> PaperBatch:
    """Record a batch: sheets issued, returned and void, and who handed one in."""
    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    _require_open(ballot)
    voters = list(dict.fromkeys(voters))
    if min(issued, returned, void) < 0:
        raise ValidationError(_("Counts cannot be negative."), code="negative_count")
    if returned > issued:
        raise ValidationError(_("More sheets were returned (%(r)s) than issued (%(i)s): the batch is refused.")
                              % {"r": returned, "i": issued}, code="more_returned_than_issued")
    if void > returned:
        raise ValidationError(_("There cannot be more void sheets than returned ones."), code="too_many_void")
    if len(voters) != returned:
        raise ValidationError(_("List exactly one voter for each returned sheet (%(n)s).") % {"n": returned},
                              code="voters_mismatch")
    voices = [_voice_free(ballot, voter) for voter in voters]
    if len({voice.pk for voice in voices}) != len(voices):
        # Household members sharing one voice: only one sheet could be counted, so confirming would fail.
        raise ValidationError(_("Two of these voters share one voice (one household): list only one."),
                              code="voice_listed_twice")
    holders = VoiceHolder.objects.filter(voice__in=voices).values("user")
    pending = PaperBatch.objects.filter(ballot=ballot, status=PaperBatch.Status.PENDING, voters__in=holders)
    if pending.exists():
        raise ValidationError(_("Some of these voters are already in a batch waiting for confirmation."),
                              code="voter_in_pending_batch")
    batch = PaperBatch.objects.create(ballot=ballot, issued=issued, returned=returned, void=void,
                                      entered_by=by, note=(note or "").strip()[:300])
    batch.voters.set(voters)
    return batch


@transaction.atomic
def paper_sheet_add(*, batch: PaperBatch, by: User, choices: dict[int, Iterable[int]],
                    voter: User | None = None, floor_area: Decimal | None = None) -> PaperSheet:
    """Type in one valid sheet of a pending batch."""
    # Lock the batch row only (as _locked does for ballots): locking the joined ballot here too, in
    # the opposite order to paper_batch_confirm (batch, then ballot), could deadlock the two.
    batch = (PaperBatch.objects.select_for_update(of=("self",)).select_related("ballot__committee")
             .get(pk=batch.pk))
    ballot = batch.ballot
    _require_organizer(by, ballot.committee)
    if batch.status != PaperBatch.Status.PENDING:
        raise ValidationError(_("This batch is already confirmed."), code="batch_confirmed")
    if batch.sheets.count() >= batch.returned - batch.void:
        raise ValidationError(_("All valid sheets of this batch have been entered."), code="batch_full")
    if ballot.is_secret and voter is not None:
        raise ValidationError(_("Sheets of a secret ballot carry no name."), code="secret_sheet_named")
    if not ballot.is_secret:
        if voter is None or not batch.voters.filter(pk=voter.pk).exists():
            raise ValidationError(_("Choose whose sheet this is, among the batch's voters."), code="sheet_voter")
        if batch.sheets.filter(voter=voter).exists():
            raise ValidationError(_("This voter's sheet is already entered."), code="sheet_duplicate")
    if ballot.is_secret and ballot.rule in Ballot.AREA_RULES:
        if not floor_area:
            raise ValidationError(_("Enter the floor area printed on the sheet."), code="sheet_area_required")
        # Each sheet weighs as one of the batch's households: an area typed wrong would skew the
        # result (or exceed the participating area and make it impossible to count).
        free = Counter(voices_of(ballot, voter)[0].floor_area for voter in batch.voters.all())
        free.subtract(batch.sheets.values_list("floor_area", flat=True))
        if free[Decimal(floor_area)] < 1:
            raise ValidationError(_("No household of this batch has the floor area %(a)s m² left for a "
                                    "sheet.") % {"a": floor_area}, code="sheet_area_unknown")
    pairs = choose_options(ballot, choices)
    sheet = PaperSheet.objects.create(batch=batch, voter=voter, floor_area=floor_area)
    sheet.options.set([o for _q, o in pairs])
    return sheet


@transaction.atomic
def paper_batch_confirm(*, batch: PaperBatch, by: User) -> PaperBatch:
    """A second organizer confirms the batch: its voters are registered and its sheets counted."""
    batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
    ballot = _locked(batch.ballot)
    _require_organizer(by, ballot.committee)
    _require_open(ballot)
    if batch.status != PaperBatch.Status.PENDING:
        raise ValidationError(_("This batch is already confirmed."), code="batch_confirmed")
    if batch.entered_by_id == by.pk:
        raise PermissionDenied(_("A second organizer must confirm the batch, not the one who entered it."))
    sheets = list(batch.sheets.prefetch_related("options__question"))
    if len(sheets) != batch.returned - batch.void:
        raise ValidationError(_("%(n)s valid sheets are expected, %(m)s have been entered.")
                              % {"n": batch.returned - batch.void, "m": len(sheets)}, code="sheets_mismatch")
    now = timezone.now()
    by_voter = {sheet.voter_id: sheet for sheet in sheets}
    for voter in batch.voters.order_by("pk"):
        voice = _voice_free(ballot, voter)
        participation = Participation.objects.create(
            ballot=ballot, voice=voice, version=1, user=voter, channel=Channel.PAPER, batch=batch,
            cast_at=now, receipt=receipt_code())
        sheet = by_voter.get(voter.pk) if not ballot.is_secret else None
        record_contents(ballot, participation, _pairs(sheet) if sheet else [])
    sealed = []
    if ballot.is_secret:
        sealed = sheets_seal(ballot, batch, [(_pairs(sheet), sheet.floor_area) for sheet in sheets])
        # The typed-in sheets are now sealed in the box; kept beside the batch's list of voters
        # they would tell who voted what in a small batch.
        batch.sheets.all().delete()
    batch.status = PaperBatch.Status.CONFIRMED
    batch.confirmed_by = by
    batch.confirmed_at = now
    batch.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    ledger.append(chain=ledger.ballot_chain(ballot.pk), payload={
        "event": "paper_batch", "batch": batch.pk, "issued": batch.issued, "returned": batch.returned,
        "void": batch.void, "entered_by": batch.entered_by_id, "confirmed_by": by.pk, "at": now.isoformat(),
        **({"sheets": sealed} if ballot.is_secret else {})})
    return batch


def _pairs(sheet: PaperSheet) -> list[tuple]:
    return [(o.question, o) for o in sorted(sheet.options.all(), key=lambda o: (o.question.position, o.position))]




@transaction.atomic
def paper_batch_discard(*, batch: PaperBatch, by: User) -> None:
    """Throw away a batch waiting for confirmation (a typing mistake); its voters may be entered again."""
    batch = PaperBatch.objects.select_for_update(of=("self",)).select_related("ballot__committee").get(pk=batch.pk)
    _require_organizer(by, batch.ballot.committee)
    if batch.status != PaperBatch.Status.PENDING:
        raise ValidationError(_("A confirmed batch is counted and cannot be discarded."), code="batch_confirmed")
    batch.delete()


@transaction.atomic
def paper_sheet_remove(*, sheet: PaperSheet, by: User) -> None:
    """Remove a mistyped sheet from a batch waiting for confirmation."""
    sheet = PaperSheet.objects.select_for_update(of=("self",)).select_related("batch__ballot__committee").get(
        pk=sheet.pk)
    _require_organizer(by, sheet.batch.ballot.committee)
    if sheet.batch.status != PaperBatch.Status.PENDING:
        raise ValidationError(_("A confirmed batch is counted and cannot be changed."), code="batch_confirmed")
    sheet.delete()
