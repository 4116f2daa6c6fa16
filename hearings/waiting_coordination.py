"""Waiting items from coordination meetings (confirmations of agreements, records...)."""
