"""Admin: campaigns and results read-only (they change only through the services).

Comments are shown without their tag; nothing here links a person to a rating.
"""

from django.contrib import admin

from config.history_admin import ReadableHistoryAdmin
from evaluations.models import (
    Campaign,
    Comment,
    Dimension,
    Evaluatee,
    Launch,
    Level,
    Progress,
    Rectification,
    Result,
    SheetItem,
)


class ReadOnlyAdmin(ReadableHistoryAdmin):
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


@admin.register(Launch)
class LaunchAdmin(ReadOnlyAdmin):
    list_display = ("street", "year", "launched_by", "launched_at")


@admin.register(Evaluatee)
class EvaluateeAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "campaign")
    list_select_related = ("campaign",)


@admin.register(Dimension)
class DimensionAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "campaign")
    list_select_related = ("campaign",)


@admin.register(Level)
class LevelAdmin(ReadOnlyAdmin):
    list_display = ("label", "weight", "excluded", "campaign")
    list_select_related = ("campaign",)


@admin.register(SheetItem)
class SheetItemAdmin(admin.ModelAdmin):
    list_display = ("campaign", "evaluatee", "dimension", "question")
    list_select_related = ("campaign", "evaluatee", "dimension", "question")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdmin):
    list_display = ("rectification", "recorded_by", "recorded_at")
    list_select_related = ("rectification", "recorded_by")
