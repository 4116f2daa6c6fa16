"""Party topics and floor consultations as ballot subjects (see ``decisions.subjects``).

Their votes are presented by this app's pages: listed on the home page by ``deliberation.waiting``
and announced by its own notices; the core sends only the closing reminder.
"""

from decisions.subjects import Subject
from deliberation.permissions import can_see_floor, is_party_member


class TopicSubject(Subject):
    """A party topic's vote: for the committee's party members only, off the committee's ballot list."""

    presents_its_own_ballot = True
    listed_with_committee_ballots = False

    def may_see_ballot(self, user, ballot) -> bool:
        return is_party_member(user, ballot.committee_id)

    def voting_url(self, ballot) -> str:
        return self.page_url(ballot)


class ConsultationSubject(Subject):
    """A floor consultation's vote: for the building's households and those who serve it."""

    presents_its_own_ballot = True

    def may_see_ballot(self, user, ballot) -> bool:
        return ballot.building is not None and can_see_floor(user, ballot.building)

    def voting_url(self, ballot) -> str:
        return self.page_url(ballot)
