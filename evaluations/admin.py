"""Admin: campaigns and results read-only (they change only through the services); the calendar is editable.

Comments are shown without their tag; nothing here links a person to a rating.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluations.models import Campaign, Comment, Holiday, Rectification, Result


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("title", "committee", "year", "status", "turnout_voices", "electorate_voices", "valid")
    list_filter = ("status", "year")
    list_select_related = ("committee",)


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ("evaluatee", "dimension", "answers", "rate", "score", "rank")
    list_select_related = ("evaluatee", "dimension")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("evaluatee", "text", "cast_on")
    fields = ("evaluatee", "text", "cast_on")
    list_select_related = ("evaluatee",)
    ordering = ("evaluatee", "text")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ("agency", "campaign", "status", "due_on")
    list_filter = ("status",)
    list_select_related = ("agency", "campaign")


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ("day", "kind", "name")
    list_filter = ("kind",)
