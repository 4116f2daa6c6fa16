"""The shared counter behind the vote throttle (decisions.throttle) when there is no Redis."""

from django.db import models


class ThrottleCount(models.Model):
    """How many throttled requests one subject (a person) made in one window of the throttle.

    Counted by one upsert per request (``decisions.throttle``), so every worker process and every
    host shares the count; windows that have ended are deleted by the scheduled job. Not history
    tracked: a count is a rate limit's working state, not a record.
    """

    subject = models.CharField(max_length=64)
    window_start = models.BigIntegerField()  # seconds since the epoch, a multiple of the window's length
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "deliberation_throttlecount"  # created by the migrations of deliberation
        constraints = [
            models.UniqueConstraint(fields=["subject", "window_start"], name="throttle_one_count_per_window"),
        ]
        indexes = [models.Index(fields=["window_start"], name="throttle_window_start")]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.window_start}: {self.hits}"
