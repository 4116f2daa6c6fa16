"""Views of hearings (hearing.py) and coordination meetings (coordination.py)."""
