"""Decision rules: pure functions from a tally of counted ballots to an explained verdict.

No models and no database. `decide(rule, tally, quorum=...)` returns a `Verdict` whose lines
give, with the numbers, every comparison that led to it. All comparisons are exact (integers,
`Decimal` and `Fraction`, never floats), so "exactly two thirds" means exactly two thirds.

`ABSTENTIONS_COUNT_AS_CAST` (False): for the simple-majority and two-thirds rules the votes cast
are yes + no, the usual meaning of "a majority of the votes cast" (过半数) in assemblies.
Abstentions still count as taking part: in the turnout, the quorum and the art. 278 tests.
"""

import math
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext, gettext_lazy, gettext_noop

ABSTENTIONS_COUNT_AS_CAST = False

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)


class Rule(StrEnum):
    SIMPLE_MAJORITY = "simple_majority"
    TWO_THIRDS = "two_thirds"
    CONSENSUS = "consensus"
    ART278 = "art278"
    ART278_MAJOR = "art278_major"
    NONE = "none"


RULE_LABELS = {
    Rule.SIMPLE_MAJORITY: gettext_lazy("Simple majority of votes cast"),
    Rule.TWO_THIRDS: gettext_lazy("Two-thirds of votes cast"),
    Rule.CONSENSUS: gettext_lazy("Consensus (no objection)"),
    Rule.ART278: gettext_lazy("Civil Code art. 278 (ordinary matter)"),
    Rule.ART278_MAJOR: gettext_lazy("Civil Code art. 278 (major matter)"),
    Rule.NONE: gettext_lazy("No verdict (ratings)"),
}
AREA_RULES = frozenset({Rule.ART278, Rule.ART278_MAJOR})


class Outcome(StrEnum):
    PASSED = "passed"
    REJECTED = "rejected"
    INVALID = "invalid"
    NONE = "none"


# Translators: in the lines below %(value)s and %(threshold)s are percentages, %(sign)s is one
# of ≥ > < ≤, %(part)s and %(whole)s are counts of voices or floor areas in m².
NOBODY = gettext_noop("Nobody took part")
TURNOUT = gettext_noop("Turnout %(value)s (%(part)s of %(whole)s voices)")
QUORUM = gettext_noop("Turnout %(value)s %(sign)s quorum %(threshold)s (%(part)s of %(whole)s voices)")
ABSTENTIONS_NOT_CAST = gettext_noop("Abstentions (%(count)s) do not count as votes cast")
ABSTENTIONS_CAST = gettext_noop("Abstentions (%(count)s) count as votes cast")
NO_VOTES_CAST = gettext_noop("No votes cast for or against")
YES_OF_CAST = gettext_noop("Yes %(value)s of votes cast %(sign)s %(threshold)s (%(part)s of %(whole)s)")
AGAINST = gettext_noop("Votes against: %(count)s (consensus allows none)")
IN_FAVOUR = gettext_noop("Votes in favour: %(count)s (at least one needed)")
AREA_TAKING_PART = gettext_noop(
    "Participating floor area %(value)s %(sign)s %(threshold)s (%(part)s of %(whole)s m²)")
OWNERS_TAKING_PART = gettext_noop(
    "Participating owners %(value)s %(sign)s %(threshold)s (%(part)s of %(whole)s)")
YES_AREA = gettext_noop(
    "Yes floor area %(value)s of participating area %(sign)s %(threshold)s (%(part)s of %(whole)s m²)")
YES_OWNERS = gettext_noop(
    "Yes owners %(value)s of participating owners %(sign)s %(threshold)s (%(part)s of %(whole)s)")
NO_VERDICT = gettext_noop("No verdict: this ballot collects ratings")


@dataclass(frozen=True, kw_only=True)
class Tally:
    """Counted voices of one ballot, with floor areas (m²) when the ballot is household-based.

    `participating_voices` counts every voice that took part, abstentions and blank ballots
    included. The five areas are given all together or not at all.
    """

    electorate_voices: int
    participating_voices: int
    yes: int
    no: int
    abstain: int = 0
    electorate_area: Decimal | None = None
    participating_area: Decimal | None = None
    yes_area: Decimal | None = None
    no_area: Decimal | None = None
    abstain_area: Decimal | None = None

    def __post_init__(self) -> None:
        areas = [getattr(self, f.name) for f in fields(self) if f.name.endswith("_area")]
        if None in areas and any(area is not None for area in areas):
            raise ValueError("Give all five floor areas of the tally or none of them.")
        for field in fields(self):
            _check_number(field.name, getattr(self, field.name), area=field.name.endswith("_area"))
        _check_within("participating_voices", self.participating_voices,
                      "electorate_voices", self.electorate_voices)
        _check_within("yes + no + abstain", self.yes + self.no + self.abstain,
                      "participating_voices", self.participating_voices)
        if self.has_areas:
            _check_within("participating_area", self.participating_area,
                          "electorate_area", self.electorate_area)
            voted_area = self.yes_area + self.no_area + self.abstain_area
            _check_within("yes_area + no_area + abstain_area", voted_area,
                          "participating_area", self.participating_area)

    @property
    def has_areas(self) -> bool:
        return self.electorate_area is not None


def _check_number(name: str, value: object, *, area: bool) -> None:
    if area and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, Decimal) if area else int):
        raise ValueError(f"Tally.{name} must be {'a Decimal' if area else 'an int'}, not {value!r}.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"Tally.{name} must be a finite number, not {value}.")
    if value < 0:
        raise ValueError(f"Tally.{name} must not be negative (got {value}).")


def _check_within(name: str, value: int | Decimal, limit_name: str, limit: int | Decimal) -> None:
    if value > limit:
        raise ValueError(f"Tally: {name} ({value}) exceeds {limit_name} ({limit}).")


@dataclass(frozen=True)
class Line:
    """One step of the explanation; `message` is the English source, translated when read."""

    message: str
    ok: bool | None = None  # ✓, ✗ or neutral
    value: Fraction | None = None  # the share compared, 0..1
    threshold: Fraction | None = None
    sign: str = ""  # the comparison actually used: ≥ > < ≤
    params: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        params = dict(self.params, sign=self.sign)
        if self.value is not None:
            params["value"], params["threshold"] = _percentages(self.value, self.threshold)
        return gettext(self.message) % params

    def __str__(self) -> str:
        mark = {True: " ✓", False: " ✗", None: ""}[self.ok]
        return f"{self.text}{mark}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of a rule applied to a tally, and the lines explaining it."""

    outcome: Outcome
    lines: tuple[Line, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASSED

    def __str__(self) -> str:
        return "\n".join(str(line) for line in self.lines)


def _percent(share: Fraction, places: int) -> str:
    """Format a share as a percentage rounded half up to `places` decimals, exactly."""
    scaled = math.floor(share * 100 * 10**places + HALF)
    return f"{Decimal(scaled).scaleb(-places):f}%"


def _percentages(value: Fraction, threshold: Fraction | None) -> tuple[str, str]:
    """Format value and threshold with one decimal, or more where one would hide a difference."""
    if threshold is None:
        return _percent(value, 1), ""
    places = 1
    while places < 6 and value != threshold and _percent(value, places) == _percent(threshold, places):
        places += 1
    return _percent(value, places), _percent(threshold, places)


def _ratio(message: str, part: int | Decimal, whole: int | Decimal, threshold: Fraction, *,
           strict: bool) -> Line:
    """Compare part/whole with threshold (> when strict, else ≥) without dividing by zero."""
    lhs, rhs = Fraction(part), threshold * Fraction(whole)
    ok = lhs > rhs if strict else lhs >= rhs
    sign = (">" if ok else "≤") if strict else ("≥" if ok else "<")
    value = lhs / Fraction(whole) if whole else Fraction(0)
    return Line(message, ok=ok, value=value, threshold=threshold, sign=sign,
                params=(("part", str(part)), ("whole", str(whole))))


def _turnout(tally: Tally, quorum: Fraction, *, more_than: bool) -> Line:
    if quorum:
        return _ratio(QUORUM, tally.participating_voices, tally.electorate_voices, quorum, strict=more_than)
    return Line(TURNOUT, value=Fraction(tally.participating_voices, tally.electorate_voices),
                params=(("part", str(tally.participating_voices)), ("whole", str(tally.electorate_voices))))


def _votes_cast(tally: Tally, lines: list[Line], threshold: Fraction, *, strict: bool) -> Outcome:
    counted = ABSTENTIONS_COUNT_AS_CAST
    note = ABSTENTIONS_CAST if counted else ABSTENTIONS_NOT_CAST
    lines.append(Line(note, params=(("count", str(tally.abstain)),)))
    cast = tally.yes + tally.no + (tally.abstain if counted else 0)
    if not cast:
        lines.append(Line(NO_VOTES_CAST, ok=False))
        return Outcome.REJECTED
    lines.append(_ratio(YES_OF_CAST, tally.yes, cast, threshold, strict=strict))
    return Outcome.PASSED if lines[-1].ok else Outcome.REJECTED


def _consensus(tally: Tally, lines: list[Line]) -> Outcome:
    lines.append(Line(AGAINST, ok=tally.no == 0, params=(("count", str(tally.no)),)))
    lines.append(Line(IN_FAVOUR, ok=tally.yes > 0, params=(("count", str(tally.yes)),)))
    return Outcome.PASSED if tally.no == 0 and tally.yes > 0 else Outcome.REJECTED


def _art278(tally: Tally, lines: list[Line], threshold: Fraction, *, strict: bool) -> Outcome:
    """Civil Code art. 278: 2/3 of area and of owners take part; then the share of each."""
    lines.append(_ratio(AREA_TAKING_PART, tally.participating_area, tally.electorate_area, TWO_THIRDS,
                        strict=False))
    lines.append(_ratio(OWNERS_TAKING_PART, tally.participating_voices, tally.electorate_voices, TWO_THIRDS,
                        strict=False))
    if not (lines[-2].ok and lines[-1].ok):
        return Outcome.INVALID
    lines.append(_ratio(YES_AREA, tally.yes_area, tally.participating_area, threshold, strict=strict))
    lines.append(_ratio(YES_OWNERS, tally.yes, tally.participating_voices, threshold, strict=strict))
    return Outcome.PASSED if lines[-2].ok and lines[-1].ok else Outcome.REJECTED


def quorum_text(quorum: Decimal, *, more_than: bool) -> str:
    """A quorum as people read it: "more than 50%", "at least 60%", "all the voices" or "none"."""
    if not quorum:
        return gettext("none")
    if quorum >= 1:
        return gettext("all the voices")
    share = f"{(Decimal(quorum) * 100).normalize():f}%"
    return (gettext("more than %(q)s") if more_than else gettext("at least %(q)s")) % {"q": share}


def _as_quorum(quorum: Decimal | int | Fraction) -> Fraction:
    if isinstance(quorum, bool) or not isinstance(quorum, Decimal | int | Fraction):
        raise ValueError(f"The quorum must be a Decimal share of the electorate, not {quorum!r}.")
    if (isinstance(quorum, Decimal) and not quorum.is_finite()) or not 0 <= quorum <= 1:
        raise ValueError(f"The quorum must be a share between 0 and 1, not {quorum}.")
    return Fraction(quorum)


def decide(rule: str, tally: Tally, *, quorum: Decimal = Decimal(0), quorum_more_than: bool = False) -> Verdict:
    """Apply `rule` to `tally`, with `quorum` the share of the electorate that must take part.

    With `quorum_more_than` the turnout must exceed the share ("more than half"); without it, reaching
    the share is enough (how every ballot opened before that choice existed was decided).
    """
    try:
        rule = Rule(rule)
    except ValueError:
        raise ValueError(f"Unknown decision rule {rule!r}; use one of {', '.join(Rule)}.") from None
    share = _as_quorum(quorum)
    if rule in AREA_RULES and not tally.electorate_area:
        raise ValueError(f"Rule {rule} weighs floor areas: the tally needs a positive electorate_area.")
    if not tally.participating_voices:
        return Verdict(Outcome.INVALID, (Line(NOBODY, ok=False),))
    lines: list[Line] = []
    if share or rule not in AREA_RULES:  # art. 278 reports the owners taking part itself
        lines.append(_turnout(tally, share, more_than=quorum_more_than))
        if lines[-1].ok is False:
            return Verdict(Outcome.INVALID, tuple(lines))
    if rule == Rule.SIMPLE_MAJORITY:
        outcome = _votes_cast(tally, lines, HALF, strict=True)
    elif rule == Rule.TWO_THIRDS:
        outcome = _votes_cast(tally, lines, TWO_THIRDS, strict=False)
    elif rule == Rule.CONSENSUS:
        outcome = _consensus(tally, lines)
    elif rule == Rule.ART278:
        outcome = _art278(tally, lines, HALF, strict=True)
    elif rule == Rule.ART278_MAJOR:
        outcome = _art278(tally, lines, THREE_QUARTERS, strict=False)
    else:
        lines.append(Line(NO_VERDICT))
        outcome = Outcome.NONE
    return Verdict(outcome, tuple(lines))
