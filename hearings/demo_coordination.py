"""Demo coordination meetings in every state (filled in by the coordination work)."""
