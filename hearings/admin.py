"""Admin for hearings: site admins read them with their history; every change goes through the services."""

from django.contrib import admin

from config.history_admin import ReadableHistoryAdmin
from hearings.models import (
    Hearing,
    HearingAttachment,
    HearingAttendance,
    HearingMinutes,
    HearingMinutesConfirmation,
    HearingObjection,
    HearingOpinion,
    HearingPanelMember,
    HearingRegistration,
    HearingSettings,
    HearingStatement,
)


class ReadOnlyHistoryAdmin(ReadableHistoryAdmin):
    """Read-only: a change made here would skip the services' guards (frozen minutes, windows, quotas)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Hearing)
class HearingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "committee", "status", "starts_at", "announced_late")
    list_filter = ("status", "committee")
    list_select_related = ("committee",)
    search_fields = ("title",)


@admin.register(HearingSettings)
class HearingSettingsAdmin(ReadOnlyHistoryAdmin):
    list_display = ("committee", "notice_days", "public_notice_days")


@admin.register(HearingMinutes)
class HearingMinutesAdmin(ReadOnlyHistoryAdmin):
    list_display = ("hearing", "version", "status", "content_hash", "finalized_at")
    list_filter = ("status",)


for model in (HearingAttachment, HearingPanelMember, HearingRegistration, HearingOpinion, HearingAttendance,
              HearingStatement, HearingMinutesConfirmation, HearingObjection):
    admin.site.register(model, ReadOnlyHistoryAdmin)
