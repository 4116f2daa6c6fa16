"""Check each committee's stored counts (``CommitteeTally``) against a recount from the rows; --fix rebuilds them."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members import tallies
from members.models import CommitteeTally

ZERO = (0, 0, 0, 0)


def _stored() -> dict[int, tuple[int, ...]]:
    return {row[0]: tuple(row[1:]) for row in CommitteeTally.objects.values_list("committee_id", *tallies.COLUMNS)}


class Command(BaseCommand):
    help = ("Recount every committee's households, residents, pending requests and compounds from the rows "
            "and compare them with the stored counts the database triggers keep. Exits non-zero if any differ; "
            "--fix keeps the recount. Holds the tally rows for the recount (about a second for a district).")

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Store the recounted figures.")

    def handle(self, *args, fix: bool = False, **options):
        with transaction.atomic():
            before = _stored()
            tallies.recount()
            after = _stored()
            if not fix:
                transaction.set_rollback(True)
        differ = sorted(pk for pk, counts in after.items() if before.get(pk, ZERO) != counts)
        for pk in differ:
            self.stderr.write(f"committee {pk}: stored {before.get(pk, ZERO)}, counted {after[pk]} "
                              f"({', '.join(tallies.COLUMNS)})")
        if differ and not fix:
            raise CommandError(f"{len(differ)} of {len(after)} committees' stored counts differ from the rows; "
                               "run recount_tallies --fix")
        if options.get("verbosity", 1):
            self.stdout.write(f"{len(after)} committees counted, {len(differ)} {'fixed' if fix else 'differ'}")
