"""Recompute every ledger chain and recount every published ballot; fail at the first broken entry."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from decisions import audit
from decisions.models import Ballot


class Command(BaseCommand):
    help = ("Recompute every hash chain of the ledger, match the register, the ballot papers and the "
            "electorate with it, compare the chain heads with those recorded at opening and close, and "
            "recount every published ballot. Exits 1 and names the first broken entry if anything differs.")

    def add_arguments(self, parser):
        parser.add_argument("--ballot", type=int, action="append", metavar="ID",
                            help="Check only this ballot (repeatable).")
        parser.add_argument("--expect-head", action="append", default=[], metavar="CHAIN:SEQ:HASH",
                            help="A chain head copied from a printed export or the notice board, e.g. "
                                 "b7:contents:12:3fa2… (repeatable); the entry at SEQ must still have HASH.")

    def handle(self, *args, ballot=None, expect_head=(), **options):
        ballots = ballot
        try:
            expected = [audit.ExpectedHead.parse(text) for text in expect_head]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        chosen = None
        if ballots:
            chosen = Ballot.objects.filter(pk__in=ballots).order_by("pk")
            missing = sorted(set(ballots) - {b.pk for b in chosen})
            if missing:
                raise CommandError(f"No ballot with id {', '.join(map(str, missing))}.")
        checked = []

        def report(ballot: Ballot, problems: list[audit.Problem]) -> None:
            checked.append(ballot.pk)
            state = "ok" if not problems else f"{len(problems)} problem(s)"
            self.stdout.write(f"ballot {ballot.pk} ({ballot.status}) {ballot.title}: {state}")

        if not settings.TSA_URL:
            self.stdout.write(_("no time-stamp authority configured (TSA_URL): heads are not anchored outside "
                                "the database"))
        problems = audit.audit(ballots=chosen, expect_heads=expected, on_ballot=report)
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s). First broken: {problems[0]}")
        self.stdout.write(self.style.SUCCESS(
            f"{len(checked)} ballot(s) checked: every chain, row, head and result matches."))
