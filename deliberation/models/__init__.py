from deliberation.models.ballots import Ballot, Option, Question, Voice, VoiceHolder
from deliberation.models.ledger import LedgerEntry
from deliberation.models.votes import (
    Channel,
    NamedChoice,
    PaperBatch,
    PaperSheet,
    Participation,
    SecretChoice,
    SecretContent,
)

__all__ = [
    "Ballot", "Channel", "LedgerEntry", "NamedChoice", "Option", "PaperBatch", "PaperSheet", "Participation",
    "Question", "SecretChoice", "SecretContent", "Voice", "VoiceHolder",
]
