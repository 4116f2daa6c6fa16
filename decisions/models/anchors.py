"""Time-stamps that carry lifecycle-chain entries out of the database (decisions.anchoring)."""

from django.db import models
from django.db.models import Q

from decisions.models.ballots import Ballot


class Anchor(models.Model):
    """An RFC 3161 time-stamp token over one lifecycle entry of a ballot (its chain, seq and hash).

    Written pending in the transaction that appends the entry; the token and its time are filled
    in after the commit, or by the scheduled job if the time-stamp authority was unreachable. So
    the table cannot be append-only like the ledger, and needs no triggers or history either: a
    token is signed by the authority over the entry's hash, so an edited row no longer verifies
    (verify_audit), and a deleted one leaves an anchored event without its token.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="anchors")
    event = models.CharField(max_length=20)
    chain = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    entry_hash = models.CharField(max_length=64)
    token = models.BinaryField(null=True)  # DER TimeStampToken; null until obtained
    gen_time = models.DateTimeField(null=True)  # the authority's time, read from the token
    requested_at = models.DateTimeField()

    class Meta:
        db_table = "deliberation_anchor"  # created by the migrations of deliberation
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="anchor_unique_seq"),
            models.CheckConstraint(condition=Q(token__isnull=True, gen_time__isnull=True)
                                   | Q(token__isnull=False, gen_time__isnull=False),
                                   name="anchor_token_has_time"),
        ]
        verbose_name = "time-stamp anchor"
        verbose_name_plural = "time-stamp anchors"

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} ({self.event})"

    @property
    def pending(self) -> bool:
        return self.token is None
