from decisions.models.anchors import Anchor
from decisions.models.ballots import Ballot, Option, Question, Voice, VoiceHolder
from decisions.models.box import Scrutineer
from decisions.models.ledger import LedgerEntry
from decisions.models.throttle import ThrottleCount
from decisions.models.turnout import TurnoutCount
from decisions.models.votes import (
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
    "Participation", "Question", "Scrutineer", "SealedSheet", "SecretChoice", "SecretContent", "ThrottleCount",
    "TurnoutCount", "Voice", "VoiceHolder",
]
