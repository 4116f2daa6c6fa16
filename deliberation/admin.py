"""Django admin: party deliberation and floor consultations, read-only with their history.

Changes go through the services (``deliberation/services/party.py``, ``floor.py``); the admin
only shows what is recorded. No secret choice is reachable from here: consultations link to
their ballot, whose contents stay in the decision core.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.history_admin import ReadableHistoryAdmin, readable_value
from deliberation.models import (
    Consultation,
    ConventionVersion,
    FollowUp,
    HouseholdComment,
    PartyMeeting,
    PartySettings,
    Topic,
    TopicComment,
)


class ReadOnlyHistoryAdmin(ReadableHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PartySettings)
class PartySettingsAdmin(ReadOnlyHistoryAdmin):
    list_display = ("committee", "seconds_needed", "electorate", "quorum_percent")
    list_select_related = ("committee",)

    @admin.display(description=_("quorum"), ordering="quorum")
    def quorum_percent(self, obj: PartySettings) -> str:
        return readable_value(PartySettings, "quorum", obj.quorum, percent_fields=("quorum",))


@admin.register(Topic)
class TopicAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "committee", "status", "proposed_by", "created_at")
    list_filter = ("status", "committee")
    list_select_related = ("committee", "proposed_by")
    search_fields = ("title",)


@admin.register(TopicComment)
class TopicCommentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("topic", "author", "created_at", "edited_at")
    list_select_related = ("topic", "author")


@admin.register(PartyMeeting)
class PartyMeetingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "committee", "starts_at")
    list_select_related = ("committee",)


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "building", "matter", "status", "opened_at")
    list_filter = ("status", "matter")
    list_select_related = ("building__compound",)
    search_fields = ("title",)


@admin.register(HouseholdComment)
class HouseholdCommentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("consultation", "household", "author", "updated_at")
    list_select_related = ("consultation", "household__building__compound", "author")


@admin.register(ConventionVersion)
class ConventionVersionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("building", "number", "adopted_at", "adopted_by")
    list_select_related = ("building__compound", "adopted_by")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyHistoryAdmin):
    list_display = ("what", "owner", "due_on", "status", "topic", "consultation")
    list_filter = ("status",)
    list_select_related = ("topic", "consultation")
