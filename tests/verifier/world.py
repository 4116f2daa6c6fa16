"""Published ballots for the bulletin's and the verifier's tests, with every way a vote is recorded."""

import json
import subprocess
import sys
from pathlib import Path

from decisions import audit, services
from decisions.models import Ballot
from tests.decisions.factories import choices, make_building_of_households, make_paper_batch, open_box
from tests.factories import make_organizer

ROOT = Path(__file__).resolve().parents[2]
CONSENT = "电话确认，由女儿代读"


def published(secrecy: str, *, rule: str = Ballot.Rule.ART278, extra_voters: int = 0) -> tuple[Ballot, list]:
    """A published ballot of 5 + ``extra_voters`` households of one building: online votes, a changed
    vote, an assisted vote with a consent note, a paper batch; returns (ballot, representatives)."""
    areas = ["60.00", "70.00", "80.00", "90.00", "100.00"] + ["75.50"] * extra_voters
    building, reps = make_building_of_households(5 + extra_voters, areas)
    for rep in reps[:5]:  # phone numbers that must never reach a bulletin
        rep.phone = f"139{rep.pk:08d}"
        rep.save(update_fields=["phone"])
    committee = building.compound.committee
    organizer, second = make_organizer(committee), make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯", secrecy=secrecy,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building, rule=rule)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=reps[2], choices=choices(ballot, "no"), channel="assisted",
                       entered_by=organizer, consent_note=CONSENT)
    for i, rep in enumerate(reps[5:]):
        services.vote_cast(ballot=ballot, voter=rep, choices=choices(ballot, "yes" if i % 3 else "abstain"))
    sheet = {"choices": choices(ballot, "yes")}
    if ballot.is_secret:
        sheet["floor_area"] = "90.00"
    else:
        sheet["voter"] = reps[3]
    services.paper_batch_confirm(batch=make_paper_batch(ballot, organizer, [reps[3]], [sheet]), by=second)
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert audit.audit(ballots=[ballot]) == []
    return ballot, reps


def run_verifier(bulletin: dict, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m verifier`` on ``bulletin`` in a clean interpreter: no site-packages (-S), no
    environment or working directory on the path (-I), only the repository root for the program."""
    path = tmp_path / f"bulletin-{bulletin['ballot']['id']}.json"
    path.write_text(json.dumps(bulletin, ensure_ascii=False), encoding="utf-8")
    code = ("import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'verifier'; "
            "runpy.run_module('verifier', run_name='__main__', alter_sys=True)")
    return subprocess.run([sys.executable, "-I", "-S", "-c", code, str(ROOT), str(path), *args],
                          capture_output=True, text=True, check=False, timeout=120)

