"""Admin: requests read-only (they change only through the services). Photos are not shown here: they
are served only through the permission-checked page."""

from django.contrib import admin

from casework.models import Case, CaseEvent
from config.history_admin import ReadableHistoryAdmin


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "kind", "side", "by", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Case)
class CaseAdmin(ReadableHistoryAdmin):
    list_display = ("pk", "committee", "category", "status", "level", "handler", "due_on", "rating")
    list_filter = ("status", "level", "category")
    list_select_related = ("committee", "handler")
    inlines = [CaseEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
