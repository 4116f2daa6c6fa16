from deliberation.models.anchors import Anchor
from deliberation.models.ballots import Ballot, Option, Question, Voice, VoiceHolder
from deliberation.models.box import Scrutineer
from deliberation.models.floor import Consultation, ConventionVersion, HouseholdComment
from deliberation.models.followup import FollowUp, FollowUpNote
from deliberation.models.ledger import LedgerEntry
from deliberation.models.party import MeetingAttendance, PartyMeeting, PartySettings, Topic, TopicComment, TopicSecond
from deliberation.models.throttle import ThrottleCount
from deliberation.models.votes import (
    Channel,
    NamedChoice,
    PaperBatch,
    PaperSheet,
    Participation,
    SealedSheet,
    SecretChoice,
    SecretContent,
)

__all__ = [
    "Anchor", "Ballot", "Channel", "LedgerEntry", "NamedChoice", "Option", "PaperBatch", "PaperSheet",
    "Participation", "Question", "Scrutineer", "SealedSheet", "SecretChoice", "SecretContent", "ThrottleCount", "Voice",
    "VoiceHolder",
    # Party-member deliberation and floor consultations
    "Consultation", "ConventionVersion", "FollowUp", "FollowUpNote", "HouseholdComment", "MeetingAttendance",
    "PartyMeeting", "PartySettings", "Topic", "TopicComment", "TopicSecond",
]
