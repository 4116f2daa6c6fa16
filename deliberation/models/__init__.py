from deliberation.models.floor import Consultation, ConventionVersion, HouseholdComment
from deliberation.models.followup import FollowUp, FollowUpNote
from deliberation.models.party import (
    MeetingAttendance,
    PartyMeeting,
    PartySettings,
    Topic,
    TopicComment,
    TopicSecond,
)

__all__ = [
    "Consultation", "ConventionVersion", "FollowUp", "FollowUpNote", "HouseholdComment", "MeetingAttendance",
    "PartyMeeting", "PartySettings", "Topic", "TopicComment", "TopicSecond",
]
