"""Admin registrations live beside each model module."""

from hearings import admin_coordination, admin_hearing  # noqa: F401
