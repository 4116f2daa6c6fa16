"""Models of the evaluations app: built by a later issue (see README)."""
