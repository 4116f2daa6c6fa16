"""Demo hearings in every state (filled in by the hearings work)."""
