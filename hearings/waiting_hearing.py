"""Waiting items from hearings (registrations, confirmations of minutes...)."""
