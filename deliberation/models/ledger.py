"""The tamper-evident ledger: per-ballot hash chains, append-only (triggers refuse UPDATE/DELETE)."""

from django.db import models


class LedgerEntry(models.Model):
    """One link of a chain: sha256(prev_hash + payload), payload in canonical JSON.

    A ballot has the chain "b<id>" (lifecycle, and for named ballots the casts). A secret ballot
    has two more: "b<id>:register" (who took part) and "b<id>:contents" (what was voted), which
    share nothing, so they cannot be joined. No timestamp column: payloads carry what they need
    (the contents chain only the day).
    """

    chain = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    payload = models.TextField()
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="ledger_unique_seq")]
        verbose_name = "ledger entry"
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"
