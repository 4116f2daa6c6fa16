"""Decision rules (decisions.rules): pure functions, no database."""

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from decisions import rules
from decisions.rules import (
    RULE_LABELS,
    THREE_QUARTERS,
    TWO_THIRDS,
    Line,
    Outcome,
    Rule,
    Tally,
    Verdict,
    decide,
)

D = Decimal
ALL_RULES = list(Rule)
VOTING_RULES = [Rule.SIMPLE_MAJORITY, Rule.TWO_THIRDS, Rule.CONSENSUS]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def votes(yes: int, no: int, abstain: int = 0, *, electorate: int | None = None,
          taking_part: int | None = None) -> Tally:
    """A tally by voice only; by default everyone entitled voted and nobody cast a blank ballot."""
    taking_part = yes + no + abstain if taking_part is None else taking_part
    return Tally(electorate_voices=taking_part if electorate is None else electorate,
                 participating_voices=taking_part, yes=yes, no=no, abstain=abstain)


def owners(electorate: int, taking_part: int, yes: int, no: int = 0, *, area: str, area_taking_part: str,
           yes_area: str, no_area: str = "0") -> Tally:
    """A household tally with floor areas; whoever took part without yes or no abstained."""
    return Tally(electorate_voices=electorate, participating_voices=taking_part, yes=yes, no=no,
                 abstain=taking_part - yes - no, electorate_area=D(area),
                 participating_area=D(area_taking_part), yes_area=D(yes_area), no_area=D(no_area),
                 abstain_area=D(area_taking_part) - D(yes_area) - D(no_area))


def flats(electorate: int, taking_part: int, yes: int, no: int = 0) -> Tally:
    """A household tally where every flat has 100 m²."""
    return owners(electorate, taking_part, yes, no, area=str(electorate * 100),
                  area_taking_part=str(taking_part * 100), yes_area=str(yes * 100), no_area=str(no * 100))


def rendered(verdict: Verdict) -> list[str]:
    return [str(line) for line in verdict.lines]


# --- Simple majority of votes cast ----------------------------------------------------

@pytest.mark.parametrize(("yes", "no", "abstain", "outcome"), [
    (1, 0, 0, Outcome.PASSED),
    (2, 1, 0, Outcome.PASSED),
    (3, 2, 0, Outcome.PASSED),
    (51, 49, 0, Outcome.PASSED),
    (1, 1, 0, Outcome.REJECTED),       # exactly half is not more than half
    (50, 50, 0, Outcome.REJECTED),
    (0, 1, 0, Outcome.REJECTED),
    (49, 51, 0, Outcome.REJECTED),
    (2, 1, 10, Outcome.PASSED),        # abstentions are not votes cast
    (5, 5, 1, Outcome.REJECTED),       # an abstention does not break a tie
])
def test_simple_majority_needs_more_than_half_of_yes_and_no(yes, no, abstain, outcome):
    assert decide(Rule.SIMPLE_MAJORITY, votes(yes, no, abstain)).outcome == outcome


def test_simple_majority_at_exactly_half_shows_the_sign_not_more_than():
    line = decide("simple_majority", votes(2, 2)).lines[-1]
    assert str(line) == "Yes 50.0% of votes cast ≤ 50.0% (2 of 4) ✗"
    assert (line.ok, line.value, line.threshold, line.sign) == (False, Fraction(1, 2), Fraction(1, 2), "≤")


def test_simple_majority_explains_turnout_abstentions_and_the_share_of_yes():
    verdict = decide("simple_majority", votes(3, 1, 2, electorate=10))
    assert verdict.outcome == "passed"
    assert verdict.passed
    assert rendered(verdict) == [
        "Turnout 60.0% (6 of 10 voices)",
        "Abstentions (2) do not count as votes cast",
        "Yes 75.0% of votes cast > 50.0% (3 of 4) ✓",
    ]
    assert str(verdict) == "\n".join(rendered(verdict))


def test_blank_ballots_count_in_the_turnout_but_not_as_votes_cast():
    verdict = decide("simple_majority", votes(2, 1, 0, electorate=10, taking_part=8))
    assert verdict.outcome == "passed"
    assert rendered(verdict)[0] == "Turnout 80.0% (8 of 10 voices)"


# --- Two-thirds of votes cast ---------------------------------------------------------

@pytest.mark.parametrize(("yes", "no", "abstain", "outcome"), [
    (2, 1, 0, Outcome.PASSED),         # exactly 2/3 passes
    (200, 100, 0, Outcome.PASSED),
    (667, 333, 0, Outcome.PASSED),
    (3, 1, 0, Outcome.PASSED),
    (1, 0, 0, Outcome.PASSED),
    (199, 100, 0, Outcome.REJECTED),   # just below
    (666, 334, 0, Outcome.REJECTED),   # 66.6%
    (1, 1, 0, Outcome.REJECTED),
    (0, 1, 0, Outcome.REJECTED),
    (2, 1, 7, Outcome.PASSED),         # abstentions are not votes cast
])
def test_two_thirds_needs_at_least_two_thirds_of_yes_and_no(yes, no, abstain, outcome):
    assert decide(Rule.TWO_THIRDS, votes(yes, no, abstain)).outcome == outcome


@pytest.mark.parametrize(("yes", "no", "text"), [
    (2, 1, "Yes 66.7% of votes cast ≥ 66.7% (2 of 3) ✓"),
    (199, 100, "Yes 66.6% of votes cast < 66.7% (199 of 299) ✗"),
])
def test_two_thirds_line_shows_the_numbers_and_the_sign_used(yes, no, text):
    assert str(decide("two_thirds", votes(yes, no)).lines[-1]) == text


def test_two_thirds_line_keeps_the_exact_share_and_threshold():
    line = decide("two_thirds", votes(2, 1)).lines[-1]
    assert (line.value, line.threshold, line.sign, line.ok) == (TWO_THIRDS, TWO_THIRDS, "≥", True)


# --- Consensus ------------------------------------------------------------------------

@pytest.mark.parametrize(("yes", "no", "abstain", "outcome"), [
    (5, 0, 0, Outcome.PASSED),
    (1, 0, 10, Outcome.PASSED),        # abstaining is not objecting
    (5, 1, 0, Outcome.REJECTED),       # one objection is enough
    (99, 1, 0, Outcome.REJECTED),
    (0, 0, 3, Outcome.REJECTED),       # nobody in favour
    (0, 2, 0, Outcome.REJECTED),
])
def test_consensus_needs_no_objection_and_at_least_one_yes(yes, no, abstain, outcome):
    assert decide(Rule.CONSENSUS, votes(yes, no, abstain)).outcome == outcome


def test_consensus_with_one_objection_explains_why():
    verdict = decide("consensus", votes(5, 1))
    assert rendered(verdict)[1:] == [
        "Votes against: 1 (consensus allows none) ✗",
        "Votes in favour: 5 (at least one needed) ✓",
    ]


# --- Civil Code art. 278 --------------------------------------------------------------

@pytest.mark.parametrize(("taking_part", "area_taking_part", "outcome"), [
    (20, "2000.00", Outcome.PASSED),   # exactly 2/3 of heads and of area
    (21, "2000.01", Outcome.PASSED),
    (30, "3000.00", Outcome.PASSED),
    (19, "2000.00", Outcome.INVALID),  # area met, heads one short
    (10, "3000.00", Outcome.INVALID),  # area met, heads far short
    (20, "1999.99", Outcome.INVALID),  # heads met, area one hundredth short
    (30, "1000.00", Outcome.INVALID),  # heads met, area far short
    (19, "1999.99", Outcome.INVALID),
])
@pytest.mark.parametrize("rule", [Rule.ART278, Rule.ART278_MAJOR])
def test_art278_is_valid_only_with_two_thirds_of_heads_and_of_area_taking_part(
        rule, taking_part, area_taking_part, outcome):
    tally = owners(30, taking_part, taking_part, area="3000.00", area_taking_part=area_taking_part,
                   yes_area=area_taking_part)
    assert decide(rule, tally).outcome == outcome


def test_art278_participation_not_met_stops_before_counting_yes():
    verdict = decide("art278", owners(30, 19, 19, area="3000.00", area_taking_part="2000.00",
                                      yes_area="2000.00"))
    assert verdict.outcome == "invalid"
    assert rendered(verdict) == [
        "Participating floor area 66.7% ≥ 66.7% (2000.00 of 3000.00 m²) ✓",
        "Participating owners 63.3% < 66.7% (19 of 30) ✗",
    ]


@pytest.mark.parametrize(("yes", "yes_area", "outcome"), [
    (11, "1000.01", Outcome.PASSED),   # just over half of both
    (20, "2000.00", Outcome.PASSED),
    (10, "1500.00", Outcome.REJECTED), # exactly half of the owners
    (15, "1000.00", Outcome.REJECTED), # exactly half of the area
    (10, "1000.00", Outcome.REJECTED),
    (11, "999.99", Outcome.REJECTED),
    (9, "1999.99", Outcome.REJECTED),
])
def test_art278_ordinary_matter_needs_more_than_half_of_participating_area_and_owners(yes, yes_area, outcome):
    tally = owners(30, 20, yes, area="3000.00", area_taking_part="2000.00", yes_area=yes_area)
    assert decide(Rule.ART278, tally).outcome == outcome


@pytest.mark.parametrize(("yes", "yes_area", "outcome"), [
    (15, "1500.00", Outcome.PASSED),   # exactly 3/4 of both
    (16, "1500.01", Outcome.PASSED),
    (20, "2000.00", Outcome.PASSED),
    (14, "1500.00", Outcome.REJECTED), # owners just below
    (15, "1499.99", Outcome.REJECTED), # area just below
    (14, "1499.99", Outcome.REJECTED),
    (11, "1000.01", Outcome.REJECTED), # enough for an ordinary matter only
])
def test_art278_major_matter_needs_three_quarters_of_participating_area_and_owners(yes, yes_area, outcome):
    tally = owners(30, 20, yes, area="3000.00", area_taking_part="2000.00", yes_area=yes_area)
    assert decide(Rule.ART278_MAJOR, tally).outcome == outcome


def test_art278_major_at_exactly_three_quarters_explains_every_step():
    verdict = decide("art278_major", owners(30, 20, 15, 5, area="3000.00", area_taking_part="2000.00",
                                            yes_area="1500.00", no_area="500.00"))
    assert verdict.outcome == "passed"
    assert rendered(verdict) == [
        "Participating floor area 66.7% ≥ 66.7% (2000.00 of 3000.00 m²) ✓",
        "Participating owners 66.7% ≥ 66.7% (20 of 30) ✓",
        "Yes floor area 75.0% of participating area ≥ 75.0% (1500.00 of 2000.00 m²) ✓",
        "Yes owners 75.0% of participating owners ≥ 75.0% (15 of 20) ✓",
    ]
    thresholds = [TWO_THIRDS, TWO_THIRDS, THREE_QUARTERS, THREE_QUARTERS]
    assert [line.threshold for line in verdict.lines] == thresholds


def test_art278_at_exactly_half_shows_not_more_than():
    verdict = decide("art278", owners(30, 20, 10, area="3000.00", area_taking_part="2000.00",
                                      yes_area="1000.00"))
    assert rendered(verdict)[2:] == [
        "Yes floor area 50.0% of participating area ≤ 50.0% (1000.00 of 2000.00 m²) ✗",
        "Yes owners 50.0% of participating owners ≤ 50.0% (10 of 20) ✗",
    ]


def test_art278_participating_area_reads_as_in_the_example():
    verdict = decide("art278", owners(3, 3, 3, area="300.00", area_taking_part="213.90", yes_area="213.90"))
    assert str(verdict.lines[0]) == "Participating floor area 71.3% ≥ 66.7% (213.90 of 300.00 m²) ✓"


@pytest.mark.parametrize(("area", "area_taking_part", "outcome", "shown"), [
    ("100.00", "66.67", Outcome.PASSED, "66.670% ≥ 66.667%"),   # 66.67% is more than 2/3
    ("100.00", "66.66", Outcome.INVALID, "66.66% < 66.67%"),
    ("1234.56", "823.04", Outcome.PASSED, "66.7% ≥ 66.7%"),     # exactly 2/3
    ("1234.56", "823.03", Outcome.INVALID, "66.666% < 66.667%"),
    ("300.00", "200.00", Outcome.PASSED, "66.7% ≥ 66.7%"),
    ("300.00", "199.99", Outcome.INVALID, "66.66% < 66.67%"),
])
def test_art278_compares_decimal_areas_with_two_thirds_exactly(area, area_taking_part, outcome, shown):
    verdict = decide("art278", owners(3, 2, 2, area=area, area_taking_part=area_taking_part,
                                      yes_area=area_taking_part))
    assert verdict.outcome == outcome
    assert shown in str(verdict.lines[0])


def test_art278_reports_no_separate_turnout_without_a_quorum():
    verdict = decide("art278", flats(10, 10, 10))
    assert verdict.lines[0].message == rules.AREA_TAKING_PART


# --- Abstentions ----------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "outcome"), [
    (Rule.SIMPLE_MAJORITY, Outcome.PASSED),
    (Rule.TWO_THIRDS, Outcome.PASSED),
    (Rule.CONSENSUS, Outcome.REJECTED),
    (Rule.ART278, Outcome.REJECTED),
    (Rule.ART278_MAJOR, Outcome.REJECTED),
    (Rule.NONE, Outcome.NONE),
])
def test_abstentions_count_for_art278_participation_but_not_as_votes_cast(rule, outcome):
    tally = flats(10, 10, 4, 1)  # 4 yes, 1 no, 5 abstain
    assert decide(rule, tally).outcome == outcome


@pytest.mark.parametrize(("rule", "outcome"), [
    (Rule.SIMPLE_MAJORITY, Outcome.REJECTED),
    (Rule.TWO_THIRDS, Outcome.REJECTED),
    (Rule.CONSENSUS, Outcome.REJECTED),
    (Rule.ART278, Outcome.REJECTED),
    (Rule.ART278_MAJOR, Outcome.REJECTED),
    (Rule.NONE, Outcome.NONE),
])
def test_when_every_voter_abstains_nothing_passes(rule, outcome):
    assert decide(rule, flats(10, 10, 0)).outcome == outcome


@pytest.mark.parametrize("rule", [Rule.SIMPLE_MAJORITY, Rule.TWO_THIRDS])
def test_when_every_voter_abstains_there_are_no_votes_cast(rule):
    assert rendered(decide(rule, votes(0, 0, 4)))[1:] == [
        "Abstentions (4) do not count as votes cast",
        "No votes cast for or against ✗",
    ]


@pytest.mark.parametrize(("rule", "yes", "no", "abstain", "outcome"), [
    (Rule.TWO_THIRDS, 2, 0, 1, Outcome.PASSED),        # 2 of 3 with the abstention
    (Rule.TWO_THIRDS, 2, 1, 1, Outcome.REJECTED),      # 2 of 4; passes when abstentions do not count
    (Rule.SIMPLE_MAJORITY, 2, 1, 1, Outcome.REJECTED), # exactly half of 4
    (Rule.SIMPLE_MAJORITY, 0, 0, 3, Outcome.REJECTED),
])
def test_abstentions_can_be_counted_as_votes_cast_by_the_module_flag(monkeypatch, rule, yes, no, abstain,
                                                                     outcome):
    monkeypatch.setattr(rules, "ABSTENTIONS_COUNT_AS_CAST", True)
    verdict = decide(rule, votes(yes, no, abstain))
    assert verdict.outcome == outcome
    assert rendered(verdict)[1] == f"Abstentions ({abstain}) count as votes cast"


def test_abstentions_are_not_votes_cast_by_default():
    assert rules.ABSTENTIONS_COUNT_AS_CAST is False
    assert decide("two_thirds", votes(2, 1, 1)).outcome == "passed"


# --- Zero participation ---------------------------------------------------------------

@pytest.mark.parametrize("quorum", [D(0), D("0.5")])
@pytest.mark.parametrize("rule", ALL_RULES)
def test_with_nobody_taking_part_the_result_is_invalid_without_dividing_by_zero(rule, quorum):
    tally = flats(10, 0, 0)
    verdict = decide(rule, tally, quorum=quorum)
    assert verdict.outcome == "invalid"
    assert rendered(verdict) == ["Nobody took part ✗"]


@pytest.mark.parametrize("rule", ALL_RULES)
def test_an_empty_electorate_gives_an_invalid_result(rule):
    tally = Tally(electorate_voices=0, participating_voices=0, yes=0, no=0, electorate_area=D("100.00"),
                  participating_area=D(0), yes_area=D(0), no_area=D(0), abstain_area=D(0))
    assert decide(rule, tally, quorum=D("0.5")).outcome == "invalid"


# --- Quorum ---------------------------------------------------------------------------

@pytest.mark.parametrize(("taking_part", "met"), [(7, True), (10, True), (6, False), (0, False)])
@pytest.mark.parametrize("rule", ALL_RULES)
def test_quorum_applies_to_every_rule(rule, taking_part, met):
    verdict = decide(rule, flats(10, taking_part, taking_part), quorum=D("0.7"))
    if met:
        expected = Outcome.NONE if rule == Rule.NONE else Outcome.PASSED
        assert verdict.outcome == expected
        assert verdict.lines[0].ok is True
    else:
        assert verdict.outcome == Outcome.INVALID
        assert verdict.lines[-1].ok is False


@pytest.mark.parametrize(("quorum", "electorate", "taking_part", "text"), [
    (D("0.6"), 5, 3, "Turnout 60.0% ≥ quorum 60.0% (3 of 5 voices) ✓"),     # exactly met
    (D("0.6"), 5, 2, "Turnout 40.0% < quorum 60.0% (2 of 5 voices) ✗"),
    (D("0.5"), 1000, 500, "Turnout 50.0% ≥ quorum 50.0% (500 of 1000 voices) ✓"),
    (D("0.5"), 1000, 499, "Turnout 49.9% < quorum 50.0% (499 of 1000 voices) ✗"),
    (D(1), 4, 4, "Turnout 100.0% ≥ quorum 100.0% (4 of 4 voices) ✓"),
    (D(1), 4, 3, "Turnout 75.0% < quorum 100.0% (3 of 4 voices) ✗"),
    (Fraction(2, 3), 3, 2, "Turnout 66.7% ≥ quorum 66.7% (2 of 3 voices) ✓"),
    (D("0.6667"), 3, 2, "Turnout 66.667% < quorum 66.670% (2 of 3 voices) ✗"),  # Decimal is exact
])
def test_quorum_is_met_exactly_at_its_share(quorum, electorate, taking_part, text):
    verdict = decide("simple_majority", votes(taking_part, 0, electorate=electorate), quorum=quorum)
    assert str(verdict.lines[0]) == text
    assert verdict.outcome == ("passed" if verdict.lines[0].ok else "invalid")


def test_quorum_not_met_stops_before_the_rule():
    verdict = decide("art278", flats(10, 6, 6), quorum=D("0.7"))
    assert [line.message for line in verdict.lines] == [rules.QUORUM]


def test_quorum_comes_before_the_art278_participation_test():
    verdict = decide("art278", flats(10, 7, 7), quorum=D("0.7"))
    assert [line.message for line in verdict.lines][:2] == [rules.QUORUM, rules.AREA_TAKING_PART]


# --- Ratings (no verdict) -------------------------------------------------------------

def test_a_rating_ballot_gets_no_verdict_but_its_turnout():
    verdict = decide("none", votes(0, 0, electorate=20, taking_part=15))
    assert verdict.outcome == "none"
    assert not verdict.passed
    assert rendered(verdict) == ["Turnout 75.0% (15 of 20 voices)",
                                 "No verdict: this ballot collects ratings"]
    assert [line.ok for line in verdict.lines] == [None, None]


# --- Large numbers --------------------------------------------------------------------

BIG = 10**18


@pytest.mark.parametrize(("rule", "yes", "no", "outcome"), [
    (Rule.TWO_THIRDS, 2 * BIG, BIG, Outcome.PASSED),
    (Rule.TWO_THIRDS, 2 * BIG - 1, BIG + 1, Outcome.REJECTED),  # a float would call this 2/3
    (Rule.SIMPLE_MAJORITY, BIG + 1, BIG, Outcome.PASSED),
    (Rule.SIMPLE_MAJORITY, BIG, BIG, Outcome.REJECTED),
    (Rule.CONSENSUS, BIG, 0, Outcome.PASSED),
])
def test_large_counts_are_compared_exactly(rule, yes, no, outcome):
    assert decide(rule, votes(yes, no)).outcome == outcome


@pytest.mark.parametrize(("yes_area", "outcome"), [
    ("75000000000000.00", Outcome.PASSED),
    ("74999999999999.99", Outcome.REJECTED),
])
def test_large_areas_are_compared_exactly(yes_area, outcome):
    area = "100000000000000.00"
    tally = owners(4 * BIG, 4 * BIG, 3 * BIG, area=area, area_taking_part=area, yes_area=yes_area)
    assert decide("art278_major", tally).outcome == outcome


# --- Rendering ------------------------------------------------------------------------

@pytest.mark.parametrize(("share", "text"), [
    (Fraction(0), "0.0%"),
    (Fraction(1), "100.0%"),
    (Fraction(1, 3), "33.3%"),
    (Fraction(2, 3), "66.7%"),
    (Fraction(1, 8), "12.5%"),
    (Fraction(1, 2000), "0.1%"),       # 0.05% rounds half up
    (Fraction(1, 2001), "0.0%"),
    (Fraction(999, 1000), "99.9%"),
    (Fraction(9999, 10000), "100.0%"),
])
def test_percentages_have_one_decimal_rounded_half_up(share, text):
    assert str(Line("%(value)s", value=share)) == text


def test_a_neutral_line_has_no_mark():
    assert str(Line(rules.NO_VERDICT)) == "No verdict: this ballot collects ratings"


def test_lines_render_in_chinese_with_the_numbers_and_signs():
    verdict = decide("art278", owners(3, 3, 1, 2, area="300.00", area_taking_part="213.90", yes_area="100.00",
                                      no_area="113.90"))
    with translation.override("zh-hans"):
        lines = rendered(verdict)
        labels = [str(label) for label in RULE_LABELS.values()]
    assert all(figure in lines[0] for figure in ("71.3%", "≥", "66.7%", "213.90", "300.00", "✓"))
    assert all(figure in lines[1] for figure in ("100.0%", "≥", "66.7%", "✓"))
    assert all(figure in lines[2] for figure in ("46.8%", "≤", "50.0%", "✗"))
    assert all(figure in lines[3] for figure in ("33.3%", "≤", "50.0%", "1", "3", "✗"))
    assert all(labels)


def test_every_rule_has_a_label():
    assert set(RULE_LABELS) == set(Rule)
    assert {rule: str(label) for rule, label in RULE_LABELS.items()} == {
        "simple_majority": "Simple majority of votes cast",
        "two_thirds": "Two-thirds of votes cast",
        "consensus": "Consensus (no objection)",
        "art278": "Civil Code art. 278 (ordinary matter)",
        "art278_major": "Civil Code art. 278 (major matter)",
        "none": "No verdict (ratings)",
    }


def test_rules_and_outcomes_are_plain_strings():
    assert [str(rule) for rule in Rule] == ["simple_majority", "two_thirds", "consensus", "art278",
                                            "art278_major", "none"]
    assert decide(Rule.CONSENSUS, votes(1, 0)).outcome == "passed"
    assert isinstance(decide("consensus", votes(1, 0)).outcome, str)


def test_tallies_verdicts_and_lines_are_frozen():
    verdict = decide("consensus", votes(1, 0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.outcome = "rejected"
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.lines[0].ok = False
    with pytest.raises(dataclasses.FrozenInstanceError):
        votes(1, 0).yes = 2


def test_the_same_tally_gives_the_same_verdict():
    tally = flats(30, 20, 11)
    assert decide("art278", tally) == decide("art278", tally)
    assert hash(decide("art278", tally)) == hash(decide("art278", tally))


# --- Invalid input --------------------------------------------------------------------

AREAS = {"electorate_area": D("100"), "participating_area": D("50"), "yes_area": D("30"), "no_area": D("10"),
         "abstain_area": D("10")}


@pytest.mark.parametrize(("fields", "match"), [
    ({"yes": -1}, "must not be negative"),
    ({"electorate_voices": -1}, "must not be negative"),
    ({"abstain": -1}, "must not be negative"),
    ({"yes": 3, "no": 2, "abstain": 1}, r"yes \+ no \+ abstain \(6\) exceeds participating_voices \(5\)"),
    ({"participating_voices": 11}, r"participating_voices \(11\) exceeds electorate_voices \(10\)"),
    ({"yes": True}, "must be an int"),
    ({"yes": 1.0}, "must be an int"),
    ({"electorate_voices": D(10)}, "must be an int"),
    ({**AREAS, "participating_area": D("100.01")}, "participating_area .* exceeds electorate_area"),
    ({**AREAS, "yes_area": D("30.01")}, r"abstain_area \(50.01\) exceeds participating_area \(50\)"),
    ({**AREAS, "no_area": D("-1")}, "must not be negative"),
    ({**AREAS, "yes_area": 30.0}, "must be a Decimal"),
    ({**AREAS, "yes_area": D("NaN")}, "finite"),
    ({**AREAS, "electorate_area": D("Infinity")}, "finite"),
    ({**AREAS, "abstain_area": None}, "all five floor areas"),
    ({"electorate_area": D("100")}, "all five floor areas"),
])
def test_an_impossible_tally_is_refused(fields, match):
    values = {"electorate_voices": 10, "participating_voices": 5, "yes": 2, "no": 1, "abstain": 1, **fields}
    with pytest.raises(ValueError, match=match):
        Tally(**values)


def test_integer_areas_are_accepted():
    tally = owners(3, 2, 2, area="300", area_taking_part="200", yes_area="200")
    assert dataclasses.replace(tally, electorate_area=300).has_areas


@pytest.mark.parametrize("rule", [Rule.ART278, Rule.ART278_MAJOR])
def test_an_area_rule_without_areas_is_refused(rule):
    with pytest.raises(ValueError, match="floor areas"):
        decide(rule, votes(3, 0))


@pytest.mark.parametrize("rule", [Rule.ART278, Rule.ART278_MAJOR])
def test_an_area_rule_with_no_electorate_area_is_refused(rule):
    tally = owners(3, 3, 3, area="0.00", area_taking_part="0.00", yes_area="0.00")
    with pytest.raises(ValueError, match="positive electorate_area"):
        decide(rule, tally)


@pytest.mark.parametrize("rule", VOTING_RULES + [Rule.NONE])
def test_rules_by_voice_ignore_the_areas(rule):
    assert decide(rule, flats(10, 10, 10)).outcome in {"passed", "none"}


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="Unknown decision rule 'unanimity'"):
        decide("unanimity", votes(1, 0))


@pytest.mark.parametrize("quorum", [D("1.01"), D("-0.1"), D("NaN"), D("Infinity"), 0.5, True, "0.5", 2])
def test_a_quorum_outside_zero_to_one_is_refused(quorum):
    with pytest.raises(ValueError, match="quorum"):
        decide("simple_majority", votes(1, 0), quorum=quorum)
