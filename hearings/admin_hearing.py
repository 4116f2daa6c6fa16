"""Admin for hearings."""
