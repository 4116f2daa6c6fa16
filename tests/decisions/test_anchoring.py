"""Lifecycle events time-stamped by an RFC 3161 authority, and verify_audit checking the tokens.

The authority is local: ``openssl ts -reply`` behind a small HTTP server, with its own root and
TSA certificates made for the session. Run on both databases:
    .venv/bin/pytest tests/decisions/test_anchoring.py -p no:xdist
    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui \
        .venv/bin/pytest tests/decisions/test_anchoring.py -p no:xdist
"""

import io
import json
import logging
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone, translation

from decisions import anchoring, audit, ledger, services, triggers
from decisions.models import Anchor, Ballot, LedgerEntry
from tests.decisions.factories import make_open_ballot

pytestmark = pytest.mark.django_db


# --- A local time-stamp authority ---------------------------------------------------------------

TS_CONFIG = """\
[ tsa ]
default_tsa = sanhui_test
[ sanhui_test ]
serial = {dir}/serial
crypto_device = builtin
default_policy = 1.3.6.1.4.1.55555.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
signer_digest = sha256
"""


@dataclass
class LocalTSA:
    url: str
    dir: Path
    root: Path  # the root certificate, the usual TSA_CERTIFICATE
    tsa_cert: Path  # the TSA's own certificate, issued by the root
    requests: list[bytes] = field(default_factory=list)


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_root(folder: Path, name: str) -> Path:
    """A self-signed CA certificate (key beside it); returns the certificate's path."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "3650", "-subj", f"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=folder)
    return folder / f"{name}.pem"


@pytest.fixture(scope="session")
def local_tsa(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tsa")
    root = make_root(folder, "root")
    (folder / "tsa.ext").write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                    "extendedKeyUsage=critical,timeStamping\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "tsa.key",
            "-out", "tsa.csr", "-subj", "/CN=Sanhui test TSA", cwd=folder)
    openssl("x509", "-req", "-in", "tsa.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial",
            "-out", "tsa.pem", "-days", "3650", "-extfile", "tsa.ext", cwd=folder)
    (folder / "ts.cnf").write_text(TS_CONFIG.format(dir=folder))
    (folder / "serial").write_text("01\n")
    lock = threading.Lock()
    tsa = LocalTSA(url="", dir=folder, root=root, tsa_cert=folder / "tsa.pem")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            query = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path != "/tsr":
                tsa.requests.append(query)
                self.send_error(500)
                return
            with lock:  # one serial file, one query file
                tsa.requests.append(query)
                (folder / "query.tsq").write_bytes(query)
                # No -chain: openssl writes the certificates in chain order, not sorted as DER wants
                # a SET OF, and rfc3161_client parses strict DER. The root is TSA_CERTIFICATE anyway.
                made = subprocess.run(["openssl", "ts", "-reply", "-config", "ts.cnf", "-queryfile", "query.tsq",
                                       "-inkey", "tsa.key", "-signer", "tsa.pem", "-out", "reply.tsr"],
                                      cwd=folder, capture_output=True)
                reply = (folder / "reply.tsr").read_bytes() if made.returncode == 0 else b""
            self.send_response(200 if reply else 500)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/tsr"
    yield tsa
    server.shutdown()
    server.server_close()


@pytest.fixture
def tsa(local_tsa, settings):
    """TSA_URL and TSA_CERTIFICATE pointing at the local authority, for this test."""
    settings.TSA_URL = local_tsa.url
    settings.TSA_CERTIFICATE = str(local_tsa.root)
    settings.ANCHOR_TOLERANCE = timedelta(hours=1)
    local_tsa.requests.clear()
    return local_tsa


@pytest.fixture(autouse=True)
def _english():
    """Problems are read in English here (they are translated for the operator)."""
    with translation.override("en"):
        yield


def closed_port_url() -> str:
    """A URL on which nothing listens (a TSA that is down); with a key in it that must not be logged."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://tsa-user:s3cret-key@127.0.0.1:{port}/tsr?key=s3cret-key"


def named_ballot() -> tuple[Ballot, object]:
    ballot, organizer, _voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    return ballot, organizer


def anchor_of(ballot: Ballot, event: str) -> Anchor:
    return Anchor.objects.get(ballot=ballot, event=event)


def rewrite_entry(chain: str, seq: int, **changes) -> str:
    """Change entry ``seq``'s payload and re-link every later entry, as a careful forger would; return its new hash."""
    entry = LedgerEntry.objects.get(chain=chain, seq=seq)
    payload = {**json.loads(entry.payload), **changes}
    prev = entry.prev_hash
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            for later in LedgerEntry.objects.filter(chain=chain, seq__gte=seq).order_by("seq"):
                text = ledger.canonical(payload) if later.seq == seq else later.payload
                digest = ledger.link_hash(prev, text)
                cursor.execute("UPDATE deliberation_ledgerentry SET payload = %s, prev_hash = %s, hash = %s "
                               "WHERE id = %s", [text, prev, digest, later.pk])
                prev = digest
    finally:
        triggers.install(connection)
    return LedgerEntry.objects.get(chain=chain, seq=seq).hash


def audit_of(ballot: Ballot) -> list[audit.Problem]:
    """verify_audit's problems for ``ballot`` as it is in the database now."""
    return audit.audit(ballots=[Ballot.objects.get(pk=ballot.pk)])


def anchor_problems(ballot: Ballot) -> list[audit.Problem]:
    return [p for p in audit_of(ballot) if p.table == "deliberation_anchor" or "time-stamp" in p.text]


# --- Obtaining tokens ---------------------------------------------------------------------------

def test_a_close_is_time_stamped_after_its_commit_and_the_token_verifies(tsa, django_capture_on_commit_callbacks):
    ballot, organizer = named_ballot()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.ballot_close(ballot=ballot, by=organizer)
        closed = anchor_of(ballot, "closed")
        assert closed.token is None  # inside the transaction nothing has been asked yet
        assert tsa.requests == []
    assert len(callbacks) == 1 and len(tsa.requests) == 1

    closed.refresh_from_db()
    entry = LedgerEntry.objects.get(chain=ledger.ballot_chain(ballot.pk), seq=closed.seq)
    assert json.loads(entry.payload)["event"] == "closed"
    assert (closed.chain, closed.entry_hash) == (entry.chain, entry.hash)
    assert closed.token and closed.gen_time is not None
    assert abs(closed.gen_time - timezone.now()) < timedelta(minutes=1)
    assert anchoring.verify(closed) is None


def test_a_token_verifies_with_openssl_alone_from_the_imprint(tsa, django_capture_on_commit_callbacks):
    """Anyone holding the root certificate can check a token without this code."""
    ballot, organizer = named_ballot()
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_close(ballot=ballot, by=organizer)
    closed = anchor_of(ballot, "closed")
    (tsa.dir / "token.der").write_bytes(bytes(closed.token))
    digest = anchoring.imprint(closed.chain, closed.seq, closed.entry_hash).hex()

    checked = subprocess.run(["openssl", "ts", "-verify", "-digest", digest, "-in", "token.der", "-token_in",
                              "-CAfile", str(tsa.root)],
                             cwd=tsa.dir, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Verification: OK" in checked.stdout


def test_the_tsa_certificate_itself_in_the_file_is_pinned_beside_the_root(tsa, settings,
                                                                           django_capture_on_commit_callbacks):
    ballot, organizer = named_ballot()
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_close(ballot=ballot, by=organizer)
    bundle = tsa.dir / "bundle.pem"
    bundle.write_text(tsa.root.read_text() + tsa.tsa_cert.read_text())
    settings.TSA_CERTIFICATE = str(bundle)
    assert anchoring.verify(anchor_of(ballot, "closed")) is None


def test_a_token_does_not_verify_against_another_root(tsa, settings, tmp_path, django_capture_on_commit_callbacks):
    ballot, organizer = named_ballot()
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_close(ballot=ballot, by=organizer)
    settings.TSA_CERTIFICATE = str(make_root(tmp_path, "other-root"))

    assert "does not verify" in anchoring.verify(anchor_of(ballot, "closed"))


def test_without_a_tsa_nothing_is_stored_and_verify_audit_says_so(settings, django_capture_on_commit_callbacks):
    settings.TSA_URL = ""
    ballot, organizer = named_ballot()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.ballot_close(ballot=ballot, by=organizer)
    assert callbacks == []
    assert not Anchor.objects.exists()
    assert anchoring.fetch_pending() == 0

    out = io.StringIO()
    call_command("verify_audit", "--ballot", str(ballot.pk), stdout=out, stderr=io.StringIO())
    assert "no time-stamp authority configured (TSA_URL)" in out.getvalue()
    assert audit_of(ballot) == []


def test_with_a_tsa_verify_audit_passes_and_does_not_warn(tsa, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ballot, organizer = named_ballot()
        services.ballot_close(ballot=ballot, by=organizer)
        services.ballot_publish(ballot=ballot, by=organizer)
    assert sorted(Anchor.objects.filter(ballot=ballot).values_list("event", flat=True)) == [
        "closed", "opened", "published"]
    assert not Anchor.objects.filter(token__isnull=True).exists()

    out = io.StringIO()
    call_command("verify_audit", "--ballot", str(ballot.pk), stdout=out, stderr=io.StringIO())
    assert "TSA_URL" not in out.getvalue()
    assert audit_of(ballot) == []


# --- The authority down -------------------------------------------------------------------------

def test_a_close_succeeds_with_the_tsa_down_and_the_schedule_fetches_the_token_later(
        tsa, settings, caplog, django_capture_on_commit_callbacks):
    settings.TSA_URL = closed_port_url()
    with (caplog.at_level(logging.WARNING, logger="decisions.anchoring"),
          django_capture_on_commit_callbacks(execute=True)):
        ballot, organizer = named_ballot()
        closed = services.ballot_close(ballot=ballot, by=organizer)
    assert closed.status == Ballot.Status.CLOSED
    assert Anchor.objects.filter(ballot=ballot, token__isnull=True).count() == 2  # opened, closed
    assert "unreachable" in caplog.text and "s3cret" not in caplog.text
    assert anchor_problems(ballot) == []  # not yet overdue

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="decisions.anchoring"):
        assert anchoring.fetch_pending() == 0
    assert caplog.text.count("unreachable") == 1  # stops at the first: the rest wait for the next run

    settings.TSA_URL = tsa.url
    out = io.StringIO()
    call_command("run_ballot_schedule", stdout=out)
    assert "time-stamped 2 event(s)" in out.getvalue()
    assert not Anchor.objects.filter(token__isnull=True).exists()
    assert anchoring.verify(anchor_of(ballot, "closed")) is None
    assert audit_of(ballot) == []


def test_a_token_still_missing_after_the_tolerance_is_reported(tsa, settings, django_capture_on_commit_callbacks):
    settings.TSA_URL = closed_port_url()
    with django_capture_on_commit_callbacks(execute=True):
        ballot, organizer = named_ballot()
        services.ballot_close(ballot=ballot, by=organizer)
    closed = anchor_of(ballot, "closed")

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        problems = anchor_problems(ballot)
    assert [(p.chain, p.seq, p.row) for p in problems if p.seq == closed.seq] == [
        (closed.chain, closed.seq, str(closed.pk))]
    assert "still missing" in problems[-1].text


def test_a_tsa_answering_with_an_error_leaves_the_anchor_pending_and_the_rest_are_still_asked(
        tsa, settings, caplog, django_capture_on_commit_callbacks):
    settings.TSA_URL = tsa.url.replace("/tsr", "/broken")  # the local authority answers 500 there
    with caplog.at_level(logging.WARNING, logger="decisions.anchoring"):
        with django_capture_on_commit_callbacks(execute=True):
            ballot, organizer = named_ballot()
            services.ballot_close(ballot=ballot, by=organizer)
        assert Anchor.objects.filter(ballot=ballot, token__isnull=True).count() == 2
        assert "HTTP status 500" in caplog.text
        tsa.requests.clear()

        assert anchoring.fetch_pending() == 0
    assert len(tsa.requests) == 2  # an answer, even a refusal, is no reason to stop asking the others


# --- Tampering ----------------------------------------------------------------------------------

@pytest.fixture
def stamped(tsa, django_capture_on_commit_callbacks):
    """A closed named ballot with its opened and closed events time-stamped."""
    with django_capture_on_commit_callbacks(execute=True):
        ballot, organizer = named_ballot()
        services.ballot_close(ballot=ballot, by=organizer)
    assert audit_of(ballot) == []
    return ballot


def test_a_token_for_another_entry_does_not_verify(stamped):
    opened, closed = anchor_of(stamped, "opened"), anchor_of(stamped, "closed")
    Anchor.objects.filter(pk=closed.pk).update(token=opened.token, gen_time=opened.gen_time)
    closed.refresh_from_db()

    assert "does not verify" in anchoring.verify(closed)
    problems = anchor_problems(stamped)
    assert [(p.chain, p.seq, p.table, p.row) for p in problems] == [
        (closed.chain, closed.seq, "deliberation_anchor", str(closed.pk))]


def test_an_edited_entry_hash_in_the_anchor_row_is_caught(stamped):
    closed = anchor_of(stamped, "closed")
    Anchor.objects.filter(pk=closed.pk).update(entry_hash="0" * 64)
    closed.refresh_from_db()

    assert "the chain was rewritten" in anchoring.verify(closed)


def test_a_rewritten_entry_no_longer_matches_its_time_stamp(stamped):
    closed = anchor_of(stamped, "closed")
    rewrite_entry(closed.chain, closed.seq, heads={})

    assert "the chain was rewritten" in anchoring.verify(closed)
    assert any(p.seq == closed.seq and p.table == "deliberation_anchor" for p in audit_of(stamped))


def test_a_forger_who_rewrites_the_entry_and_the_anchor_row_is_caught_by_the_token(stamped):
    closed = anchor_of(stamped, "closed")
    new_hash = rewrite_entry(closed.chain, closed.seq, heads={})
    Anchor.objects.filter(pk=closed.pk).update(entry_hash=new_hash)
    closed.refresh_from_db()

    problem = anchoring.verify(closed)
    assert "does not verify" in problem and "Mismatch between messages" in problem


def test_an_edited_gen_time_column_is_caught(stamped):
    closed = anchor_of(stamped, "closed")
    Anchor.objects.filter(pk=closed.pk).update(gen_time=closed.gen_time - timedelta(minutes=5))
    closed.refresh_from_db()

    assert "its token" in anchoring.verify(closed)


def test_a_token_obtained_two_hours_after_the_events_own_time_is_too_late(tsa, django_capture_on_commit_callbacks):
    """A forger writing an event now, dated two hours back, can only get a token dated now."""
    ballot, organizer = named_ballot()
    with time_machine.travel(timezone.now() - timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        services.ballot_close(ballot=ballot, by=organizer)
    closed = anchor_of(ballot, "closed")
    assert closed.token is not None  # the authority's clock was not moved

    problem = anchoring.verify(closed)
    assert problem.startswith("time-stamped 2 h 00 min after") and "later than it says" in problem
    assert any(p.seq == closed.seq and "later than it says" in p.text for p in audit_of(ballot))


def test_a_deleted_anchor_row_is_reported_by_verify_audit(stamped):
    closed = anchor_of(stamped, "closed")
    Anchor.objects.filter(pk=closed.pk).delete()

    problems = audit_of(stamped)
    assert [(p.chain, p.seq) for p in problems] == [(closed.chain, closed.seq)]
    assert "no time-stamp token" in problems[0].text
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", "--ballot", str(stamped.pk), stdout=io.StringIO(), stderr=io.StringIO())
    assert f"{closed.chain}#{closed.seq}" in str(caught.value)


def test_an_anchor_whose_entry_no_longer_exists_is_reported(stamped):
    closed = anchor_of(stamped, "closed")
    Anchor.objects.filter(pk=closed.pk).update(seq=closed.seq + 5)

    problems = anchor_problems(stamped)
    assert {(p.seq, p.text) for p in problems} == {
        (closed.seq, "no time-stamp token: deleted, or the chain was rewritten"),
        (closed.seq + 5, "a time-stamp for an entry that no longer exists")}
