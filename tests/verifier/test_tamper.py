"""The verifier fails, naming the cause, on a bulletin altered in each way the tamper tests alter the
database: a count, a chain entry, a head, a receipt dropped, a time-stamp swapped — and on a chain
rewritten consistently, which only the time-stamps show. Time-stamps come from the local authority of
tests/decisions/test_anchoring.py. Run on both databases."""

import copy
import json

import pytest
from django.db import connection, transaction

from decisions import anchoring, ledger, triggers
from decisions.bulletin import bulletin_for
from decisions.models import Ballot, LedgerEntry
from tests.decisions.test_anchoring import local_tsa, tsa  # noqa: F401 - the session's local authority
from tests.verifier.world import published, run_verifier
from verifier import verify
from verifier.checks import GENESIS, link_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def stamped(tsa):  # noqa: F811 - the fixture imported above
    """A published sealed art. 278 ballot whose lifecycle events are time-stamped, and its bulletin."""
    ballot, reps = published(Ballot.Secrecy.SECRET)
    assert anchoring.fetch_pending() >= 4  # opened, closed, box opened, published
    return ballot, reps, bulletin_for(ballot)


def _failures(bulletin: dict) -> list[tuple[str, dict]]:
    return [(f.code, f.params) for f in verify(bulletin).failures]


def _lifecycle(bulletin: dict) -> list[dict]:
    return bulletin["chains"][f"b{bulletin['ballot']['id']}"]["entries"]


def _entry_of(bulletin: dict, event: str) -> dict:
    return next(e for e in _lifecycle(bulletin) if json.loads(e["payload"])["event"] == event)


def test_the_untouched_bulletin_holds_with_every_signature_checked(stamped, tsa, tmp_path):  # noqa: F811
    _ballot, _reps, bulletin = stamped
    report = verify(bulletin, tsa_root=tsa.root)
    assert report.holds, report.failures
    assert {"anchors", "anchors_signed", "papers", "counts_box", "verdict"} <= {f.code for f in report.findings}
    run = run_verifier(bulletin, tmp_path, "--tsa-root", str(tsa.root), "--lang", "en")
    assert run.returncode == 0, run.stdout
    assert "signatures verified by openssl" in run.stdout
    assert run.stdout.rstrip().endswith("Conclusion: everything above holds.")


def test_a_count_changed_in_the_result_is_named(stamped):
    _ballot, _reps, bulletin = stamped
    altered = copy.deepcopy(bulletin)
    yes = next(o for o in altered["result"]["questions"][0]["options"] if o["meaning"] == "yes")
    yes["count"] += 1
    failures = _failures(altered)
    question = altered["result"]["questions"][0]["text"]
    assert ("count_differs", {"question": question, "option": yes["label"], "field": "count",
                              "published": yes["count"], "recomputed": yes["count"] - 1}) in failures
    assert "result_differs" in [code for code, _params in failures]


def test_a_chain_entry_changed_is_named_by_its_chain_and_seq(stamped):
    _ballot, _reps, bulletin = stamped
    altered = copy.deepcopy(bulletin)
    entry = _entry_of(altered, "box_opened")
    payload = json.loads(entry["payload"])
    first = sorted(payload["tally"]["options"])[0]
    payload["tally"]["options"][first][0] += 1
    entry["payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    chain = f"b{bulletin['ballot']['id']}"
    assert _failures(altered)[0] == ("chain_hash", {"chain": chain, "seq": entry["seq"]})


def test_a_head_changed_is_named(stamped):
    ballot, _reps, bulletin = stamped
    altered = copy.deepcopy(bulletin)
    register = ledger.ballot_chain(ballot.pk, "register")
    altered["heads"]["at_close"][register]["hash"] = "ab" * 32
    codes = [(code, params.get("chain")) for code, params in _failures(altered)]
    assert ("head_differs", register) in codes


def test_a_receipt_dropped_from_the_list_is_named(stamped):
    _ballot, _reps, bulletin = stamped
    altered = copy.deepcopy(bulletin)
    dropped = altered["receipts"].pop(1)
    failures = _failures(altered)
    assert ("receipt_missing", {"receipt": dropped}) in failures


def test_a_register_entry_dropped_from_the_chain_is_named(stamped):
    ballot, _reps, bulletin = stamped
    altered = copy.deepcopy(bulletin)
    register = ledger.ballot_chain(ballot.pk, "register")
    del altered["chains"][register]["entries"][2]
    assert ("chain_gap", {"chain": register, "seq": 3}) in _failures(altered)


def test_swapped_time_stamps_are_named(stamped):
    _ballot, _reps, bulletin = stamped
    altered = copy.deepcopy(bulletin)
    first, second = altered["anchors"][0], altered["anchors"][1]
    first["token"], second["token"] = second["token"], first["token"]
    failures = _failures(altered)
    assert ("anchor_imprint", {"chain": first["chain"], "seq": first["seq"]}) in failures
    assert ("anchor_imprint", {"chain": second["chain"], "seq": second["seq"]}) in failures


def test_a_consistent_rewrite_of_the_count_is_shown_by_the_time_stamps_alone(stamped):
    """A forger rewrites the box's tally and the published result, then every hash and head after them:
    every chain holds again, but the time-stamped entries are no longer those the authority signed."""
    ballot, _reps, bulletin = stamped
    altered = copy.deepcopy(bulletin)
    entries = _lifecycle(altered)
    yes = next(o for o in altered["result"]["questions"][0]["options"] if o["meaning"] == "yes")
    no = next(o for o in altered["result"]["questions"][0]["options"] if o["meaning"] == "no")
    for entry in entries:
        payload = json.loads(entry["payload"])
        if payload["event"] == "box_opened":
            payload["tally"]["options"][str(yes["id"])][0] -= 1
            payload["tally"]["options"][str(no["id"])][0] += 1
        if payload["event"] == "published":
            for option in payload["result"]["questions"][0]["options"]:
                option["count"] += {yes["id"]: -1, no["id"]: 1}.get(option["id"], 0)
            altered["result"] = payload["result"]
        entry["payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    prev = GENESIS
    for entry in entries:
        entry["prev_hash"], entry["hash"] = prev, link_hash(prev, entry["payload"])
        prev = entry["hash"]
    chain = ledger.ballot_chain(ballot.pk)
    altered["chains"][chain]["head"] = {"seq": entries[-1]["seq"], "hash": prev}
    for when in ("at_open", "at_close"):
        head = altered["heads"][when][chain]
        head["hash"] = entries[head["seq"] - 1]["hash"]
    codes = [code for code, _params in _failures(altered)]
    assert "chain_hash" not in codes and "count_differs" not in codes
    assert "anchor_entry" in codes


def test_a_ledger_entry_edited_in_the_database_is_named_in_the_bulletin_built_from_it(stamped):
    """The tamper tests' edit behind the application's back (triggers dropped), seen by the verifier."""
    ballot, _reps, _bulletin = stamped
    entry = LedgerEntry.objects.get(chain=ledger.ballot_chain(ballot.pk), seq=3)
    with transaction.atomic():
        triggers.remove(connection)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE deliberation_ledgerentry SET payload = %s WHERE id = %s",
                           [entry.payload.replace('"by":', '"by": ', 1), entry.pk])
        altered = bulletin_for(ballot)
        transaction.set_rollback(True)
    triggers.install(connection)
    assert _failures(altered)[0] == ("chain_hash", {"chain": ledger.ballot_chain(ballot.pk), "seq": 3})


def test_a_counted_receipt_is_found_and_an_unknown_one_is_not(stamped, tmp_path):
    ballot, _reps, bulletin = stamped
    register = bulletin["chains"][ledger.ballot_chain(ballot.pk, "register")]["entries"]
    # An online vote's receipt: it has a sealed paper (a paper sheet's receipt has none).
    code = next(e["public"]["receipt"] for e in register if e["public"]["counted"] and e["public"].get("paper"))
    found = run_verifier(bulletin, tmp_path, "--receipt", code.lower().replace("-", " "))
    assert found.returncode == 0
    assert f"回执 {code} 已计入" in found.stdout
    assert "在计入的选票清单中" in found.stdout
    unknown = run_verifier(bulletin, tmp_path, "--receipt", "AAAA-BBBB-CCCC", "--lang", "en")
    assert unknown.returncode == 1
    assert "✗ Receipt AAAA-BBBB-CCCC is not in this ballot's register" in unknown.stdout


def test_a_named_ballot_shows_the_choices_of_a_receipt_and_recounts_them(tmp_path):
    ballot, _reps = published(Ballot.Secrecy.NAMED)
    bulletin = bulletin_for(ballot)
    report = verify(bulletin, receipt=bulletin["receipts"][0])
    assert report.holds, report.failures
    assert {"counts_named", "receipt_choices", "no_anchors"} <= {f.code for f in report.findings}
    altered = copy.deepcopy(bulletin)
    register = altered["chains"][ledger.ballot_chain(ballot.pk, "register")]["entries"]
    counted = next(e for e in register if e["public"]["counted"] and e["public"]["choices"])
    counted["public"]["choices"] = []
    assert "count_differs" in [f.code for f in verify(altered).failures]
