"""Models of the hearings app: built by a later issue (see README)."""
