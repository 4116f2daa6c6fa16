"""The decision rules of docs/BULLETIN.md ("The verdict"), computed exactly with fractions.

Written from the documentation, not from the server's code, so that an error in one is not
copied into the other. Each step is returned with its numbers, for the report.
"""

from dataclasses import dataclass
from fractions import Fraction

HALF, TWO_THIRDS, THREE_QUARTERS = Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)
RULES = ("simple_majority", "two_thirds", "consensus", "art278", "art278_major", "none")
AREA_RULES = ("art278", "art278_major")


@dataclass(frozen=True)
class Step:
    """One comparison: ``what`` (a word of verifier.words), part/whole against a threshold."""

    what: str
    holds: bool
    part: Fraction | int = 0
    whole: Fraction | int = 0
    threshold: Fraction | None = None
    strict: bool = False


def number(text) -> Fraction:
    """An exact number from the bulletin: an integer, or a decimal written as a string."""
    if isinstance(text, bool) or text is None:
        raise ValueError(f"not a number: {text!r}")
    if isinstance(text, int):
        return Fraction(text)
    if isinstance(text, str):
        return Fraction(text.strip())  # Fraction("893.61") is exact, unlike float
    raise ValueError(f"not a number: {text!r}")


def check(inputs: dict) -> None:
    """Raise ValueError when the numbers cannot be: negative, or more taking part than entitled, or more
    yes + no + abstain than taking part (voices, and floor areas when given: all five or none)."""
    counts = [number(inputs[name]) for name in ("electorate_voices", "participating_voices", "yes", "no", "abstain")]
    if any(value < 0 or value.denominator != 1 for value in counts):
        raise ValueError("counts of voices are whole numbers, never negative")
    voices, taking_part, yes, no, abstain = counts
    if taking_part > voices or yes + no + abstain > taking_part:
        raise ValueError("more voices taking part than entitled, or more choices than voices taking part")
    names = ("electorate_area", "participating_area", "yes_area", "no_area", "abstain_area")
    given = [inputs.get(name) is not None for name in names]
    if any(given) and not all(given):
        raise ValueError("give all five floor areas or none")
    if all(given):
        area, taking_part_area, yes_area, no_area, abstain_area = (number(inputs[name]) for name in names)
        if min(area, taking_part_area, yes_area, no_area, abstain_area) < 0:
            raise ValueError("a floor area is never negative")
        if taking_part_area > area or yes_area + no_area + abstain_area > taking_part_area:
            raise ValueError("more floor area taking part than entitled, or chosen than taking part")


def _share(what: str, part, whole, threshold: Fraction, *, strict: bool) -> Step:
    part, whole = Fraction(part), Fraction(whole)
    holds = part > threshold * whole if strict else part >= threshold * whole
    return Step(what, holds, part, whole, threshold, strict)


def decide(rule: str, inputs: dict, *, quorum="0", quorum_more_than: bool = False,
           abstentions_count_as_cast: bool = False) -> tuple[str, list[Step]]:
    """(outcome, steps) of ``rule`` applied to ``inputs`` (the bulletin's ``verdict.inputs``)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    check(inputs)
    voices, taking_part = number(inputs["electorate_voices"]), number(inputs["participating_voices"])
    yes, no, abstain = number(inputs["yes"]), number(inputs["no"]), number(inputs["abstain"])
    share = number(quorum)
    if not 0 <= share <= 1:
        raise ValueError(f"the quorum must be a share between 0 and 1, not {quorum}")
    if rule in AREA_RULES and not inputs.get("electorate_area") or (
            rule in AREA_RULES and number(inputs["electorate_area"]) == 0):
        raise ValueError(f"rule {rule} weighs floor areas: it needs a positive electorate area")
    if taking_part == 0:
        return "invalid", [Step("nobody", False)]
    steps: list[Step] = []
    if share > 0:
        steps.append(_share("quorum", taking_part, voices, share, strict=quorum_more_than))
        if not steps[-1].holds:
            return "invalid", steps
    if rule == "none":
        return "none", steps
    if rule in ("simple_majority", "two_thirds"):
        cast = yes + no + (abstain if abstentions_count_as_cast else 0)
        if cast == 0:
            steps.append(Step("no_votes_cast", False))
            return "rejected", steps
        if rule == "simple_majority":
            steps.append(_share("yes_of_cast", yes, cast, HALF, strict=True))
        else:
            steps.append(_share("yes_of_cast", yes, cast, TWO_THIRDS, strict=False))
        return ("passed" if steps[-1].holds else "rejected"), steps
    if rule == "consensus":
        steps.append(Step("no_objection", no == 0, no))
        steps.append(Step("one_yes", yes >= 1, yes))
        return ("passed" if no == 0 and yes >= 1 else "rejected"), steps
    # Civil Code art. 278: two thirds of the area and of the owners take part, then the share of each.
    area = number(inputs["electorate_area"])
    area_taking_part = number(inputs["participating_area"])
    steps.append(_share("area_taking_part", area_taking_part, area, TWO_THIRDS, strict=False))
    steps.append(_share("owners_taking_part", taking_part, voices, TWO_THIRDS, strict=False))
    if not (steps[-2].holds and steps[-1].holds):
        return "invalid", steps
    threshold, strict = (HALF, True) if rule == "art278" else (THREE_QUARTERS, False)
    steps.append(_share("yes_area", number(inputs["yes_area"]), area_taking_part, threshold, strict=strict))
    steps.append(_share("yes_owners", yes, taking_part, threshold, strict=strict))
    return ("passed" if steps[-2].holds and steps[-1].holds else "rejected"), steps
