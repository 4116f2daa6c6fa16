"""An evaluation campaign as the subject of its ballot (see ``decisions.subjects``).

The sheets are presented, announced and counted by this app's pages: the core lists no "vote"
item for them, sends only the closing reminder, and shows no per-question counts (which would
break the rule that fewer than five answers are never broken down). A sheet's comments travel
sealed in its paper and are written out only when the box is opened.
"""

from django.urls import reverse

from decisions.subjects import Subject


class CampaignSubject(Subject):
    presents_its_own_ballot = True
    shows_its_own_results = True

    def voting_url(self, ballot) -> str:
        return reverse("evaluations:sheet_fill", args=[ballot.subject_id])

    def sealed_extra_bytes(self, ballot) -> int:
        """The most room a sheet's comments can take in its paper (every paper is padded to it)."""
        from evaluations.services.sheets import comments_paper_bytes

        return comments_paper_bytes(ballot.subject_id)

    def sealed_extras_received(self, ballot, extras: list) -> None:
        """The box was opened: write the comments of the sheets that count."""
        from evaluations.services.sheets import comments_unseal

        comments_unseal(campaign_id=ballot.subject_id, extras=extras)
