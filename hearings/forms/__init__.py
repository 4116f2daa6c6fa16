"""Hearing forms in hearing.py, coordination forms in coordination.py."""
