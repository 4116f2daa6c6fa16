"""Models of the deliberation app: built by a later issue (see README)."""
