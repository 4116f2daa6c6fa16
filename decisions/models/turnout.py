"""A ballot's turnout, counted as the votes come in, so that a page shows it without counting the register."""

from django.db import models

from decisions.models.ballots import Ballot


class TurnoutCount(models.Model):
    """How many voices of one ballot have taken part, and their floor area: one share of the count.

    Kept by a database trigger on the register (``decisions.turnout``): a voice's first version adds
    one, whatever wrote it (an online vote, an assisted vote, a paper sheet, a bulk load). The count
    of a ballot is split over ``decisions.turnout.SHARDS`` rows by voice, so that concurrent votes
    rarely wait for each other's row; reading it sums at most that many rows. Derived data: no
    history, never written by Python code; ``turnout.recount`` rebuilds it from the register.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+", db_index=False)
    shard = models.PositiveSmallIntegerField()
    voices = models.PositiveIntegerField(default=0)
    area = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "shard"], name="turnoutcount_one_per_shard")]

    def __str__(self) -> str:
        return f"{self.ballot_id}/{self.shard}: {self.voices}"
