"""Hearing selectors in hearing.py, coordination selectors in coordination.py."""
