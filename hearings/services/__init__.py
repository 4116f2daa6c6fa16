"""Hearing and coordination-meeting services: each state change is one function here."""
