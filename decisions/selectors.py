"""Reads of the decision core.

Results are always counted from the stored ballots, never kept as counters. The one count kept as
it grows is a ballot's turnout while it is open (``turnout``, kept by the database: decisions.turnout),
shown on every ballot page; a result counts its turnout from the register (``counted_turnout``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from decisions import rules, subjects
from decisions.models import (
    Ballot,
    NamedChoice,
    Option,
    PaperBatch,
    Participation,
    Question,
    SecretChoice,
    SecretContent,
    TurnoutCount,
    Voice,
)
from members.models import User
from members.permissions import can_manage_committee, roles_of


def latest_participations(ballot: Ballot) -> QuerySet[Participation]:
    """The counted participation of each voice: its latest version."""
    newest = (Participation.objects.filter(voice=OuterRef("voice")).order_by("-version").values("version")[:1])
    return Participation.objects.filter(ballot=ballot, version=Subquery(newest))


def counted_contents(ballot: Ballot) -> QuerySet[SecretContent]:
    """The counted anonymous papers of a secret ballot from before the sealed box: the latest of each voice tag."""
    newest = (SecretContent.objects.filter(ballot=ballot, voice_tag=OuterRef("voice_tag"))
              .order_by("-version").values("version")[:1])
    return SecretContent.objects.filter(ballot=ballot, version=Subquery(newest))


@dataclass(frozen=True)
class Turnout:
    voices: int
    area: Decimal | None
    electorate: int
    electorate_area: Decimal | None

    @property
    def share(self) -> Decimal:
        return Decimal(self.voices) / self.electorate if self.electorate else Decimal(0)


def turnout(ballot: Ballot) -> Turnout:
    """How many voices have taken part so far, from the ballot's stored counts: one query, whatever
    the electorate's size. Equal to ``counted_turnout`` (the tests and verify_audit compare them);
    the area is None before anyone took part and where the electorate has no floor area."""
    row = TurnoutCount.objects.filter(ballot=ballot).aggregate(n=Sum("voices"), area=Sum("area"))
    voices = row["n"] or 0
    weighed = voices and ballot.electorate_area is not None
    return Turnout(voices=voices, area=Decimal(row["area"]).quantize(Decimal("0.01")) if weighed else None,
                   electorate=ballot.electorate_size or 0, electorate_area=ballot.electorate_area)


def counted_turnout(ballot: Ballot) -> Turnout:
    """How many voices have taken part, counted from the register (the voices with a version)."""
    took_part = Participation.objects.filter(voice=OuterRef("pk"))
    row = (Voice.objects.filter(ballot=ballot).filter(Exists(took_part))
           .aggregate(n=Count("pk"), area=Sum("floor_area")))
    return Turnout(voices=row["n"], area=row["area"], electorate=ballot.electorate_size or 0,
                   electorate_area=ballot.electorate_area)


def option_counts(ballot: Ballot) -> dict[int, tuple[int, Decimal]]:
    """Option id → (voices, floor area), by one aggregate query over the counted ballots.

    A sealed ballot's counts are those its scrutineers' opening of the box gave (none before).
    """
    if ballot.is_sealed:
        options = (ballot.box_tally or {}).get("options", {})
        return {int(pk): (n, Decimal(area)) for pk, (n, area) in options.items()}
    if ballot.is_secret:
        rows = (SecretChoice.objects.filter(content__in=counted_contents(ballot)).values("option")
                .annotate(n=Count("pk"), area=Sum("content__floor_area")))
    else:
        rows = (NamedChoice.objects.filter(participation__in=latest_participations(ballot)).values("option")
                .annotate(n=Count("pk"), area=Sum("participation__voice__floor_area")))
    return {row["option"]: (row["n"], row["area"] or Decimal(0)) for row in rows}


def _rating(options: list[dict]) -> dict:
    """Satisfaction rate (positive-weight levels over valid answers) and weighted score."""
    valid = [o for o in options if not o["excluded"]]
    answers = sum(o["count"] for o in valid)
    if not answers:
        return {"answers": 0, "rate": None, "score": None}
    satisfied = sum(o["count"] for o in valid if o["weight"] is not None and Decimal(o["weight"]) > 0)
    score = sum(Decimal(o["weight"] or 0) * o["count"] for o in valid) / answers
    return {"answers": answers, "rate": str((Decimal(satisfied) * 100 / answers).quantize(Decimal("0.1"))),
            "score": str(score.quantize(Decimal("0.1")))}


def _area(value) -> str | None:
    """Areas as text with two decimals, the same on SQLite and PostgreSQL."""
    return None if value is None else f"{Decimal(value):.2f}"


def result_payload(ballot: Ballot) -> dict:
    """The result as stored at publication and recounted by verify_audit (numbers only, no text)."""
    counts = option_counts(ballot)
    took = counted_turnout(ballot)
    questions = []
    for question in ballot.questions.prefetch_related("options").order_by("position"):
        options = [{"id": o.pk, "label": o.label, "meaning": o.meaning, "count": counts.get(o.pk, (0, 0))[0],
                    "area": _area(counts.get(o.pk, (0, Decimal(0)))[1]),
                    "weight": str(o.weight) if o.weight is not None else None, "excluded": o.excluded}
                   for o in question.options.all()]
        entry = {"id": question.pk, "text": question.text, "kind": question.kind, "options": options}
        if question.kind == Question.Kind.RATING:
            entry["rating"] = _rating(options)
        questions.append(entry)
    payload = {"turnout": {"voices": took.voices, "area": _area(took.area)},
               "electorate": {"voices": took.electorate, "area": _area(took.electorate_area)},
               "questions": questions}
    payload["verdict"] = verdict(ballot, payload).outcome.value
    return payload


def decided_question(payload: dict) -> dict | None:
    """The question a ballot's rule decides: the first one with a “for” option (None: none has one)."""
    return next((q for q in payload["questions"]
                 if any(o["meaning"] == Option.Meaning.YES for o in q["options"])), None)


def verdict_tally(ballot: Ballot, payload: dict) -> rules.Tally | None:
    """The numbers the ballot's rule is applied to, from a result payload; None when no rule applies.

    Raises ``ValueError`` on counts that cannot be (more choices than voices).
    """
    decided = decided_question(payload)
    if ballot.rule == Ballot.Rule.NONE or decided is None:
        return None

    def total(meaning: str, key: str):
        values = [o[key] for o in decided["options"] if o["meaning"] == meaning]
        return sum((Decimal(v) for v in values), Decimal(0)) if key == "area" else sum(values)

    area_rule = ballot.rule in Ballot.AREA_RULES
    return rules.Tally(
        electorate_voices=payload["electorate"]["voices"], participating_voices=payload["turnout"]["voices"],
        yes=total("yes", "count"), no=total("no", "count"), abstain=total("abstain", "count"),
        electorate_area=Decimal(payload["electorate"]["area"]) if area_rule else None,
        participating_area=Decimal(payload["turnout"]["area"] or 0) if area_rule else None,
        yes_area=total("yes", "area") if area_rule else None, no_area=total("no", "area") if area_rule else None,
        abstain_area=total("abstain", "area") if area_rule else None)


def verdict(ballot: Ballot, payload: dict) -> rules.Verdict:
    """Apply the ballot's rule to the first question that has a “for” option."""
    try:
        tally = verdict_tally(ballot, payload)
        if tally is None:
            return rules.Verdict(rules.Outcome.NONE)
        return rules.decide(ballot.rule, tally, quorum=ballot.quorum, quorum_more_than=ballot.quorum_more_than)
    except ValueError:
        # Counts that cannot be (more choices than voices): only a direct database edit does that.
        return rules.Verdict(rules.Outcome.INVALID, (rules.Line(INCONSISTENT, ok=False),))


INCONSISTENT = gettext_noop("The stored ballots do not add up; the committee must have the voting records audited.")


def counted_receipts(ballot: Ballot) -> list[str]:
    return sorted(latest_participations(ballot).values_list("receipt", flat=True))


def receipt_status(ballot: Ballot, code: str) -> str | None:
    """"counted", "replaced" (a later vote of the same voice counts), or None if unknown."""
    code = normalise_receipt(code)
    participation = Participation.objects.filter(ballot=ballot, receipt=code).first()
    if participation is None:
        return None
    latest = latest_participations(ballot).filter(voice_id=participation.voice_id).first()
    return "counted" if latest and latest.pk == participation.pk else "replaced"


def normalise_receipt(code: str) -> str:
    """A receipt as typed (spaces, lower case, dashes or none) in its stored form, K7QX-3MPA-9RTW."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else (code or "").strip().upper()


def paper_of_receipt(ballot: Ballot, code: str) -> str | None:
    """The hash of the sealed paper a receipt commits to (sealed ballots), or None."""
    paper = (Participation.objects.filter(ballot=ballot, receipt=normalise_receipt(code), paper__isnull=False)
             .values_list("paper", flat=True).first())
    if paper is None:
        return None
    from decisions.box import digest

    return digest(paper)


def named_votes(ballot: Ballot) -> QuerySet[Participation]:
    """Who voted what, for a published named ballot."""
    return (latest_participations(ballot).select_related("user", "voice__household__building__compound")
            .prefetch_related(Prefetch("choices", queryset=NamedChoice.objects.select_related("option")))
            .order_by("user__full_name"))


# --- Who may see what -------------------------------------------------------------------------

def can_view(user: User, ballot: Ballot) -> bool:
    """Organizers of the committee, its verified residents and officers of its street."""
    if not user.is_authenticated:
        return False
    if can_manage_committee(user, ballot.committee):
        return True
    if any(r.kind == "street_officer" and r.street_id == ballot.committee.street_id for r in roles_of(user)):
        return True
    return Voice.objects.filter(ballot=ballot, holders__user=user).exists() or user.memberships.filter(
        status="verified", household__building__compound__committee=ballot.committee).exists()


def can_see_result(user: User, ballot: Ballot) -> bool:
    """Published: everyone who may view. Closed: the organizers, to check before publishing (a sealed
    ballot once its box is opened: before, there are no counts, and a preview would read "not passed").

    Never on the core's pages when the ballot's subject shows its own results under its own rules
    (an evaluation hides every breakdown of fewer than five answers).
    """
    if subjects.of(ballot).shows_its_own_results:
        return False
    if ballot.status == Ballot.Status.PUBLISHED:
        return True
    if ballot.is_sealed and ballot.box_opened_at is None:
        return False
    return ballot.status == Ballot.Status.CLOSED and can_manage_committee(user, ballot.committee)


# --- Lists -------------------------------------------------------------------------------

def committee_ballots(committee) -> QuerySet[Ballot]:
    """The committee's ballots, newest first, each with ``participants``: how many voices took part
    (the stored turnout counts, so the list costs the same however many have voted)."""
    took_part = (TurnoutCount.objects.filter(ballot=OuterRef("pk")).values("ballot")
                 .annotate(n=Sum("voices")).values("n"))
    # Some subjects' votes are run from their own pages for a few people only (a party topic's).
    return (Ballot.objects.filter(committee=committee)
            .exclude(subject_type__in=subjects.unlisted_types())
            .select_related("committee", "building__compound")
            .annotate(participants=Coalesce(Subquery(took_part), 0))
            .order_by("-created_at"))


def my_ballots(user: User) -> QuerySet[Voice]:
    """The voices ``user`` holds, with their ballot and this user's participations (receipts)."""
    mine = Participation.objects.filter(user=user).order_by("-version")
    return (Voice.objects.filter(holders__user=user)
            .exclude(ballot__status__in=[Ballot.Status.DRAFT])
            .select_related("ballot__committee")
            .prefetch_related(Prefetch("participations", queryset=mine, to_attr="mine"),
                              Prefetch("participations", queryset=Participation.objects.order_by("-version"),
                                       to_attr="all_versions"))
            .order_by("-ballot__opened_at"))


def pending_batches(ballot: Ballot) -> QuerySet[PaperBatch]:
    return (ballot.paper_batches.filter(status=PaperBatch.Status.PENDING)
            .select_related("entered_by").annotate(sheet_count=Count("sheets")))


# --- Pages (read by decisions.views) --------------------------------------------------------

from django.db.models import Q  # noqa: E402

from decisions.models import (  # noqa: E402
    PaperSheet,
    VoiceHolder,
)


def ballot_for_page(pk: int) -> Ballot | None:
    """A ballot with everything its pages show about its places."""
    return (Ballot.objects.select_related("committee__street", "compound", "building__compound", "created_by")
            .filter(pk=pk).first())


def ballot_questions(ballot: Ballot) -> list[Question]:
    """The questions in order, with their options."""
    return list(ballot.questions.order_by("position", "pk")
                .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position", "pk"))))


def voice_history(ballot: Ballot, user: User) -> tuple[Voice | None, list[Participation]]:
    """The voice ``user`` holds on ``ballot`` and every version cast with it, newest first."""
    voice = (Voice.objects.filter(ballot=ballot, holders__user=user).select_related("household__building")
             .order_by("key").first())
    if voice is None:
        return None, []
    # Without the sealed paper: the pages show the receipt, which is taken from the paper's hash.
    versions = list(Participation.objects.filter(voice=voice).select_related("entered_by").defer("paper")
                    .order_by("-version"))
    return voice, versions


def my_voices(user: User) -> QuerySet[Voice]:
    """Like ``my_ballots``, with who entered an assisted vote and the ballot's places loaded."""
    mine = Participation.objects.filter(user=user).select_related("entered_by").order_by("-version")
    return (Voice.objects.filter(holders__user=user)
            .exclude(ballot__status=Ballot.Status.DRAFT)
            .select_related("ballot__committee", "ballot__building__compound", "ballot__compound",
                            "household__building__compound")
            .prefetch_related(Prefetch("participations", queryset=mine, to_attr="mine"),
                              Prefetch("participations", queryset=Participation.objects.order_by("-version")
                                       .only("pk", "voice_id", "version", "user_id", "channel"),
                                       to_attr="all_versions"))
            .order_by("-ballot__opened_at", "-ballot__pk"))


def voice_holders(ballot: Ballot, *, q: str = "", building_ids: list[int] | None = None
                  ) -> QuerySet[VoiceHolder]:
    """Who may use each voice of ``ballot``, with their household and whether the voice has been used.

    ``voted``: the voice took part (any channel); ``in_batch``: the person is in a paper batch
    waiting for confirmation.
    """
    qs = (VoiceHolder.objects.filter(voice__ballot=ballot)
          .select_related("user", "voice__household__building__compound")
          .annotate(voted=Exists(Participation.objects.filter(voice=OuterRef("voice"))),
                    in_batch=Exists(PaperBatch.objects.filter(ballot=ballot, status=PaperBatch.Status.PENDING,
                                                              voters=OuterRef("user"))))
          .order_by("voice__household__building__compound__name", "voice__household__building__name",
                    "voice__household__door_number", "user__full_name", "pk"))
    if building_ids is not None:
        qs = qs.filter(Q(voice__household__building_id__in=building_ids)
                       | Q(voice__household__isnull=True,
                           user__memberships__status="verified",
                           user__memberships__household__building_id__in=building_ids)).distinct()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(user__full_name__icontains=q) | Q(voice__household__door_number__icontains=q)
                       | Q(voice__household__building__name__icontains=q))
    return qs


def ballot_batches(ballot: Ballot) -> QuerySet[PaperBatch]:
    """Every paper batch of ``ballot``, pending first, with counts and people loaded."""
    return (ballot.paper_batches.select_related("entered_by", "confirmed_by")
            .annotate(sheet_count=Count("sheets", distinct=True), voter_count=Count("voters", distinct=True))
            .order_by("-status", "created_at"))


def paper_batch(ballot: Ballot, pk: int) -> PaperBatch | None:
    """One batch of this ballot only (None for another ballot's)."""
    return (PaperBatch.objects.filter(ballot=ballot, pk=pk).select_related("entered_by", "confirmed_by")
            .first())


def batch_sheets(batch: PaperBatch) -> list[PaperSheet]:
    return list(batch.sheets.select_related("voter")
                .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("question__position",
                                                                                       "position"))))


def batch_voters(batch: PaperBatch) -> list[User]:
    return list(batch.voters.order_by("full_name", "pk"))


def my_receipt(ballot: Ballot, user: User, code: str) -> Participation | None:
    """A participation of ``user`` (cast by them or entered for them) on ``ballot`` by its receipt."""
    return (Participation.objects.filter(ballot=ballot, user=user, receipt=(code or "").strip().upper())
            .select_related("entered_by", "voice").first())


def committee_resident_users(committee) -> QuerySet[User]:
    """The people verified as residents of ``committee`` (for choosing a named list)."""
    return (User.objects.filter(memberships__status="verified",
                                memberships__household__building__compound__committee=committee)
            .distinct().order_by("full_name", "pk"))


def named_voter_ids(ballot: Ballot) -> set[int]:
    return set(ballot.named_voters.values_list("pk", flat=True))


def named_voters(ballot: Ballot) -> list[User]:
    return list(ballot.named_voters.order_by("full_name", "pk"))
