"""Writes of party-member deliberation, floor consultations and their follow-ups."""
