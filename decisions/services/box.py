"""The sealed ballot box: its scrutineers and their cards, sealing at opening, opening and counting.

A secret ballot's papers are sealed to the box's public key when they are cast (``casting``). Only
``threshold`` of its scrutineers together can open it: each presents their card (on their own
phone, in any order); the one who completes the threshold opens it, and the server counts in
memory and keeps the counts only. See ``decisions.box`` for the cryptography and
``docs/SECURITY.md`` for what it protects against.
"""

import base64
import json
import random
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import box, ledger, subjects
from decisions.models import Ballot, LedgerEntry, Option, PaperBatch, Participation, Scrutineer, SealedSheet
from decisions.services.ballots import _event, _locked, _require_draft
from members.models import Notification, User
from members.notifications import notify
from members.permissions import can_manage_committee
from members.services import require_organizer_or_system as _require_organizer
from members.services import stamp as _stamp

MAX_SCRUTINEERS = 9


# --- Naming the scrutineers and taking the cards --------------------------------------------------

@transaction.atomic
def scrutineers_set(*, ballot: Ballot, by: User | None, users: list[User], threshold: int) -> list[Scrutineer]:
    """Name the scrutineers of a secret ballot in draft, and how many of them together open its box."""
    from decisions.selectors import can_view

    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    _require_draft(ballot)
    if not ballot.is_secret:
        raise ValidationError(_("Only a secret ballot has a sealed ballot box and scrutineers."), code="not_secret")
    users = list(dict.fromkeys(users))
    if not 1 <= len(users) <= MAX_SCRUTINEERS:
        raise ValidationError(_("Name between 1 and %(n)s scrutineers.") % {"n": MAX_SCRUTINEERS},
                              code="scrutineer_count")
    if not 1 <= int(threshold) <= len(users):
        raise ValidationError(_("The number of scrutineers needed to open the box must be between 1 and the "
                                "number of scrutineers (%(n)s).") % {"n": len(users)}, code="invalid_threshold")
    for user in users:
        if not can_view(user, ballot):
            raise ValidationError(_("%(name)s cannot see this ballot, so cannot be one of its scrutineers.")
                                  % {"name": user}, code="scrutineer_outsider")
    for old in ballot.scrutineers.all():
        _stamp(old, by).delete()
    named = []
    for position, user in enumerate(users, start=1):
        scrutineer = _stamp(Scrutineer(ballot=ballot, user=user, position=position, named_by=by), by)
        scrutineer.save()
        named.append(scrutineer)
    ballot.box_threshold = int(threshold)
    _stamp(ballot, by).save(update_fields=["box_threshold"])
    # Told after commit, and only those still without a card then: a service that names someone and
    # makes their card in the same transaction (a floor leader opening a consultation) tells nobody.
    transaction.on_commit(lambda: _tell_card_takers(ballot, [s.user_id for s in named
                                                             if s.user_id != getattr(by, "pk", None)]))
    return named


def _tell_card_takers(ballot: Ballot, user_ids: list[int]) -> None:
    waiting = Scrutineer.objects.filter(ballot=ballot, user_id__in=user_ids, card_key="").values_list(
        "user_id", flat=True)
    _tell_scrutineers(ballot, list(waiting), "scrutineer_named",
                      reverse("decisions:ballot_card", args=[ballot.pk]), "card")


def _tell_scrutineers(ballot: Ballot, user_ids: list[int], message: str, url: str, step: str) -> None:
    """Tell scrutineers what to do next (``message`` of ``members.notification_texts``)."""
    notify(users=user_ids, kind=Notification.Kind.SCRUTINY, message=message,
           params={"title": ballot.title, "committee": ballot.committee.name}, url=url,
           dedupe_key=f"scrutiny:{step}:ballot:{ballot.pk}", committee=ballot.committee_id)


def box_tell_closed(ballot: Ballot) -> None:
    """At close: every scrutineer is asked to present their card (in the closing transaction)."""
    _tell_scrutineers(ballot, list(ballot.scrutineers.values_list("user_id", flat=True)), "scrutineer_open_box",
                      reverse("decisions:ballot_box", args=[ballot.pk]), "open")


@transaction.atomic
def scrutineer_take_card(*, ballot: Ballot, user: User) -> str:
    """Make ``user``'s card for this ballot and return its code, which is shown once and never stored.

    Taken again before the ballot opens, it replaces the earlier card (a lost card); once the ballot
    is open the share is sealed to the card, and no new card can be made.
    """
    ballot = _locked(ballot)
    scrutineer = ballot.scrutineers.select_for_update().filter(user=user).first()
    if scrutineer is None:
        raise PermissionDenied(_("You are not a scrutineer of this ballot."))
    if ballot.status != Ballot.Status.DRAFT:
        raise ValidationError(_("Cards are made before the ballot opens; this ballot is %(s)s.")
                              % {"s": ballot.get_status_display()}, code="card_too_late")
    return _card_make(ballot, scrutineer, user)


def _card_make(ballot: Ballot, scrutineer: Scrutineer, user: User) -> str:
    code, public_key = box.card_new(ballot.pk)
    scrutineer.card_key = public_key
    scrutineer.card_taken_at = timezone.now()
    _stamp(scrutineer, user).save(update_fields=["card_key", "card_taken_at"])
    return code


# --- Sealing at opening ----------------------------------------------------------------------------

def box_seal(ballot: Ballot, by: User | None) -> dict[int, str]:
    """Give an opening secret ballot its box key, split among its scrutineers (in ``ballot_open``'s transaction).

    With no scrutineer named, the organizer who opens it is the only one (1 of 1), and their card is
    made now: the returned {user id: code} is for the opening page to show them, once.
    """
    new_cards: dict[int, str] = {}
    scrutineers = list(ballot.scrutineers.select_for_update().order_by("position"))
    if not scrutineers:
        if by is None:
            raise ValidationError(_("Name the scrutineers of this secret ballot before it can open."),
                                  code="no_scrutineers")
        scrutineer = _stamp(Scrutineer(ballot=ballot, user=by, position=1, named_by=by), by)
        scrutineer.save()
        scrutineers = [scrutineer]
        ballot.box_threshold = 1
    for scrutineer in scrutineers:
        if scrutineer.has_card:
            continue
        if by is not None and scrutineer.user_id == by.pk:
            new_cards[by.pk] = _card_make(ballot, scrutineer, by)
        else:
            raise ValidationError(_("%(name)s has not taken their scrutineer card yet: the ballot cannot open "
                                    "until every scrutineer has one.") % {"name": scrutineer.user},
                                  code="card_missing")
    threshold = ballot.box_threshold or 1
    sealed = box.box_new(threshold, len(scrutineers))
    for scrutineer, share in zip(scrutineers, sealed.shares, strict=True):
        scrutineer.share = box.seal_to(scrutineer.card_key, share)
        scrutineer.save(update_fields=["share"])
    option_ids = list(Option.objects.filter(question__ballot=ballot).values_list("pk", flat=True))
    extra = subjects.of(ballot).sealed_extra_bytes(ballot)
    ballot.box_key = sealed.public_key
    ballot.box_threshold = threshold
    ballot.box_paper_size = box.paper_size(option_ids, extra)
    return new_cards


def _counted_papers(ballot: Ballot) -> list[bytes]:
    """The sealed papers that count: each voice's latest paper and every sheet of a confirmed batch."""
    newest = Participation.objects.filter(voice=OuterRef("voice"), version__gt=OuterRef("version"))
    papers = list(Participation.objects.filter(ballot=ballot, paper__isnull=False).exclude(Exists(newest))
                  .values_list("paper", flat=True))
    papers += SealedSheet.objects.filter(ballot=ballot, batch__status=PaperBatch.Status.CONFIRMED).values_list(
        "paper", flat=True)
    return [bytes(paper) for paper in papers]


def box_list(ballot: Ballot) -> list[str]:
    """The hashes of the sealed papers that count, sorted."""
    return sorted(box.digest(paper) for paper in _counted_papers(ballot))


def box_summary(ballot: Ballot) -> dict:
    """What the closed event records of the box: how many papers count, and the hash of their list."""
    hashes = box_list(ballot)
    return {"papers": len(hashes), "list": ledger.link_hash(ledger.GENESIS, "\n".join(hashes))}


# --- Opening the box -------------------------------------------------------------------------------

def _card_error(code: str) -> ValidationError:
    # Looked up when raised, so that the message is in the reader's language.
    messages = {
        "malformed": _("This is not a scrutineer card code: check each character (28 letters and digits)."),
        # A typo and another ballot's card fail the same check: the message fits both.
        "wrong_ballot": _("This code does not match a card of this ballot: check each character against your "
                          "card, and that it is the card of this ballot."),
        "does_not_open": _("This card does not open your share of this ballot's box: it is not your card."),
    }
    return ValidationError(messages.get(code, messages["does_not_open"]), code=f"card_{code}")


def box_presentation_refusal(ballot: Ballot, scrutineer: Scrutineer) -> ValidationError | None:
    """Why ``scrutineer`` cannot present their card now (None: they can). The box opens after close;
    once opened, it can be opened again to recount while the ballot is closed or published; never
    after it expired."""
    opened = ballot.box_opened_at is not None
    if ballot.status not in ((Ballot.Status.CLOSED, Ballot.Status.PUBLISHED) if opened else (Ballot.Status.CLOSED,)):
        return ValidationError(_("The box is opened after voting closes; this ballot is %(s)s.")
                               % {"s": ballot.get_status_display()}, code="box_not_closed")
    if scrutineer.share is None or (ballot.box_expires_at and timezone.now() >= ballot.box_expires_at):
        return ValidationError(_("The time for opening this box is over: it can never be opened again."),
                               code="box_expired")
    return None


@transaction.atomic
def box_present(*, ballot: Ballot, by: User, code: str) -> bool:
    """``by`` presents their card to open the closed ballot's box; True once the box is opened.

    Fewer than the threshold so far: the shares presented are sealed to the cards of the other
    scrutineers (never stored in the clear) and the box stays shut. Each presentation is recorded
    in the lifecycle chain (who, when). The first opening counts the papers and keeps the totals;
    once opened, the box counts once: until it expires, k scrutineers may open it again to
    recount, which records whether the recount matches and changes nothing.
    """
    ballot = _locked(ballot)
    if not ballot.is_sealed:
        raise ValidationError(_("This ballot has no sealed ballot box."), code="not_sealed")
    scrutineers = list(ballot.scrutineers.select_for_update().select_related("user").order_by("position"))
    me = next((s for s in scrutineers if s.user_id == by.pk), None)
    if me is None:
        raise PermissionDenied(_("Only the scrutineers of this ballot can open its box."))
    refusal = box_presentation_refusal(ballot, me)
    if refusal is not None:
        raise refusal
    recount = ballot.box_opened_at is not None
    try:
        card = box.card_key(code, ballot.pk)
        shares = {me.position: box.unseal(card, me.share)}
        for position, sealed in me.handed.items():
            shares[int(position)] = box.unseal(card, base64.b64decode(sealed))
    except box.BoxError as error:
        raise _card_error(error.code) from None
    me.presented_at = timezone.now()
    _stamp(me, by).save(update_fields=["presented_at"])
    _event(ballot, "share_presented", by, position=me.position, recount=recount)
    if len(shares) < ballot.box_threshold:
        for other in scrutineers:
            if other.pk == me.pk:
                continue
            handed = dict(other.handed)
            for position, share in shares.items():
                if position != other.position:
                    handed[str(position)] = base64.b64encode(box.seal_to(other.card_key, share)).decode()
            other.handed = handed
            other.save(update_fields=["handed"])
        return False
    try:
        key = box.box_private_key(list(shares.values()), ballot.box_threshold, ballot.box_key)
    except box.BoxError:
        raise ValidationError(_("The shares presented do not open this box. Nothing was counted; every "
                                "scrutineer should check their card."), code="shares_do_not_open") from None
    presented = sorted(s.user_id for s in scrutineers if s.presented_at)
    tally, extras = _tally(ballot, key)
    del key
    if recount:
        _event(ballot, "box_recounted", by, tally=tally, matches=tally == ballot.box_tally, scrutineers=presented)
    else:
        ballot.box_tally = tally
        ballot.box_opened_at = timezone.now()
        _event(ballot, "box_opened", by, tally=tally, scrutineers=presented)
        _stamp(ballot, by).save(update_fields=["box_tally", "box_opened_at"])
        if extras:
            random.SystemRandom().shuffle(extras)  # no order links an extra to a paper's position
            subjects.of(ballot).sealed_extras_received(ballot, extras)
    for scrutineer in scrutineers:  # the round is over: the next one starts from nothing
        if scrutineer.handed or scrutineer.presented_at:
            scrutineer.handed, scrutineer.presented_at = {}, None
            scrutineer.save(update_fields=["handed", "presented_at"])
    return True


def box_recount_matches(ballot: Ballot) -> bool | None:
    """Whether the latest recount by the scrutineers matched the counts kept at opening (None: none yet)."""
    payload = (LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk), payload__contains='"box_recounted"')
               .order_by("-seq").values_list("payload", flat=True).first())
    return None if payload is None else bool(json.loads(payload).get("matches"))


def _tally(ballot: Ballot, key) -> tuple[dict, list]:
    """Open every paper that counts, in memory: the totals, and the subject's extras (unordered)."""
    questions: dict[int, int] = {}
    max_choices: dict[int, int] = {}
    for option_id, question_id, most in Option.objects.filter(question__ballot=ballot).values_list(
            "pk", "question_id", "question__max_choices"):
        questions[option_id] = question_id
        max_choices[question_id] = most
    counts = {option_id: [0, Decimal(0)] for option_id in questions}
    invalid, extras = 0, []
    papers = _counted_papers(ballot)
    for sealed in papers:
        try:
            paper = box.paper_open(key, sealed)
            area = Decimal(paper.area) if paper.area is not None else Decimal(0)
        except (box.BoxError, ValueError, InvalidOperation):
            invalid += 1
            continue
        per_question: dict[int, int] = {}
        for option_id in paper.options:
            if option_id in questions:
                per_question[questions[option_id]] = per_question.get(questions[option_id], 0) + 1
        if (len(set(paper.options)) != len(paper.options) or any(o not in questions for o in paper.options)
                or any(n > max_choices[q] for q, n in per_question.items())):
            invalid += 1
            continue
        for option_id in paper.options:
            counts[option_id][0] += 1
            counts[option_id][1] += area
        if paper.extra is not None:
            extras.append(paper.extra)
    tally = {"papers": len(papers), "invalid": invalid,
             "options": {str(pk): [n, f"{area:.2f}"] for pk, (n, area) in sorted(counts.items())}}
    return tally, extras


# --- Expiry ------------------------------------------------------------------------------------------

def box_deadline(start) -> object:
    return start + timedelta(days=settings.BALLOT_BOX_DAYS)


def box_drop_shares(ballot: Ballot) -> None:
    """Forget every share of the ballot's box (in the caller's transaction): the cards open nothing now."""
    for scrutineer in ballot.scrutineers.select_for_update():
        if scrutineer.share is not None or scrutineer.handed:
            scrutineer.share, scrutineer.handed = None, {}
            scrutineer.save(update_fields=["share", "handed"])


def boxes_expire(*, now=None) -> list[Ballot]:
    """Close for ever the boxes whose time is over (run with the schedule).

    A box never opened ends its ballot as "not counted", in the ledger; no one can override it.
    """
    now = now or timezone.now()
    done = []
    due = (Ballot.objects.filter(box_expires_at__lte=now).exclude(box_key="")
           .filter(Exists(Scrutineer.objects.filter(ballot=OuterRef("pk"), share__isnull=False))))
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            ballot = Ballot.objects.select_for_update().get(pk=pk)
            box_drop_shares(ballot)
            if ballot.status == Ballot.Status.CLOSED and ballot.box_opened_at is None:
                ballot.status = Ballot.Status.UNCOUNTED
                _event(ballot, "not_counted", None, reason="box_not_opened")
                ballot.save(update_fields=["status"])
            done.append(ballot)
    return done


def may_open_box(user: User, ballot: Ballot) -> bool:
    return ballot.is_sealed and (ballot.scrutineers.filter(user=user).exists()
                                 or can_manage_committee(user, ballot.committee))
