"""The tamper-evident ledger: per-ballot hash chains, append-only (triggers refuse UPDATE/DELETE)."""

from django.db import models


class LedgerEntry(models.Model):
    """One link of a chain: sha256(prev_hash + payload), payload in canonical JSON.

    A ballot has the chain "b<id>" (lifecycle events and paper batches) and "b<id>:register" (who
    took part, with the choices for a named ballot). A secret ballot has one more, "b<id>:contents"
    (the anonymous papers), which shares nothing with the register. No timestamp column: payloads carry what they need
    (the contents chain only the day).
    """

    chain = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    payload = models.TextField()
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "deliberation_ledgerentry"  # created by the migrations of deliberation
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="ledger_unique_seq")]
        verbose_name = "ledger entry"
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"
