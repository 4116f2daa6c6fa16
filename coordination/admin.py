"""Admin for coordination meetings: read-only views with history; every change goes through the services."""

from django.contrib import admin

from config.history_admin import ReadableHistoryAdmin
from coordination.models import (
    CoordinationAction,
    CoordinationDocument,
    CoordinationMeeting,
    CoordinationParticipant,
    CoordinationProgress,
    CoordinationSettings,
)


class ReadOnlyAdmin(ReadableHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParticipantInline(admin.TabularInline):
    model = CoordinationParticipant
    fields = ["kind", "is_party", "user", "household", "agency", "label"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CoordinationMeeting)
class CoordinationMeetingAdmin(ReadOnlyAdmin):
    list_display = ["subject", "committee", "status", "scheduled_at", "escalated_at", "created_at"]
    list_filter = ["status", "committee__street", "committee"]
    search_fields = ["subject"]
    list_select_related = ["committee"]
    inlines = [ParticipantInline]


@admin.register(CoordinationDocument)
class CoordinationDocumentAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "kind", "version", "submitted_at", "finalized_at", "superseded_at", "content_hash"]
    list_filter = ["kind"]
    list_select_related = ["meeting"]


@admin.register(CoordinationAction)
class CoordinationActionAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "number", "description", "due_date", "status", "done_at"]
    list_filter = ["status"]
    list_select_related = ["meeting"]


@admin.register(CoordinationProgress)
class CoordinationProgressAdmin(ReadOnlyAdmin):
    list_display = ["action", "author", "created_at", "marks_done", "attachment_name"]
    exclude = ["attachment"]  # files are served only through the permission-checked page
    list_select_related = ["action", "author"]


@admin.register(CoordinationSettings)
class CoordinationSettingsAdmin(ReadOnlyAdmin):
    list_display = ["committee", "notice_days"]
