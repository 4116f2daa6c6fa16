"""Django admin for site admins. Every model keeps its history, readable (config.history_admin.ReadableHistoryAdmin)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.errors import error_text
from config.history_admin import ReadableHistoryAdmin
from members import services
from members.models import (
    Agency,
    Building,
    Committee,
    Compound,
    ContactChoice,
    Holiday,
    Household,
    Membership,
    Notification,
    NotificationOptOut,
    Role,
    SmsMessage,
    Street,
    User,
    WeChatMessage,
)


@admin.register(User)
class UserAdmin(ReadableHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "phone", "phone_verified", "is_staff")
    search_fields = ("username", "full_name", "phone")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Sanhui"), {"fields": ("full_name", "phone", "phone_verified")}),)


@admin.register(Holiday)
class HolidayAdmin(ReadableHistoryAdmin):
    """The working-day calendar: operators keep public holidays and make-up working days here."""

    list_display = ("day", "kind", "name")
    list_filter = ("kind",)


@admin.register(Street)
class StreetAdmin(ReadableHistoryAdmin):
    list_display = ("name", "district")
    search_fields = ("name",)


@admin.register(Committee)
class CommitteeAdmin(ReadableHistoryAdmin):
    list_display = ("name", "street")
    list_filter = ("street",)
    list_select_related = ("street",)
    search_fields = ("name",)


@admin.register(Agency)
class AgencyAdmin(ReadableHistoryAdmin):
    list_display = ("name", "kind", "street", "supervising_department")
    list_filter = ("kind", "street")
    list_select_related = ("street",)
    filter_horizontal = ("committees",)
    search_fields = ("name",)


@admin.register(Compound)
class CompoundAdmin(ReadableHistoryAdmin):
    list_display = ("name", "committee", "property_firm")
    list_select_related = ("committee", "property_firm")
    list_filter = ("committee",)
    search_fields = ("name",)


@admin.register(Building)
class BuildingAdmin(ReadableHistoryAdmin):
    list_display = ("name", "compound")
    list_select_related = ("compound",)
    search_fields = ("name", "compound__name")


@admin.register(Household)
class HouseholdAdmin(ReadableHistoryAdmin):
    list_display = ("door_number", "building", "floor_area", "owner_occupied")
    list_select_related = ("building__compound",)
    search_fields = ("door_number", "building__name", "building__compound__name")
    raw_id_fields = ("building",)


@admin.register(Membership)
class MembershipAdmin(ReadableHistoryAdmin):
    list_display = ("user", "household", "status", "is_representative", "requested_at")
    list_filter = ("status", "is_representative")
    list_select_related = ("user", "household__building__compound")
    raw_id_fields = ("user", "household", "decided_by")
    search_fields = ("user__full_name", "user__phone", "household__door_number")


@admin.register(Role)
class RoleAdmin(ReadableHistoryAdmin):
    """Roles are removed through ``services.role_revoke``, which keeps every committee an organizer; a
    role once granted is not edited into another (revoke it and grant the new one)."""

    list_display = ("user", "kind", "committee", "building", "street", "agency")
    list_filter = ("kind",)
    list_select_related = ("user", "committee", "building__compound", "street", "agency")
    raw_id_fields = ("user", "granted_by", "building")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        return [field.name for field in Role._meta.fields]

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return redirect(reverse("admin:members_role_change", args=[object_id]))

    def delete_model(self, request, obj) -> None:
        services.role_revoke(role=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        try:
            with transaction.atomic():
                for role in queryset:
                    services.role_revoke(role=role, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _("Nothing was deleted: %(e)s") % {"e": error_text(error)},
                              messages.ERROR)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the services (``members.notifications.notify``)."""

    list_display = ("shown_title", "user", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("title", "message", "user__full_name", "user__phone", "dedupe_key")
    date_hierarchy = "created_at"

    @admin.display(description=_("title"))
    def shown_title(self, obj: Notification) -> str:
        return obj.shown_title

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationOptOut)
class NotificationOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "kind")
    list_filter = ("kind",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    search_fields = ("user__full_name", "user__phone")


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    """The SMS outbox, read-only: masked numbers only; a failed or refused message can be tried again."""

    list_display = ("created_at", "kind", "recipient", "committee", "status", "reason", "attempts",
                    "next_attempt_at", "sent_at")
    list_filter = ("status", "kind", "provider")
    search_fields = ("recipient", "dedupe_key", "provider_id")
    date_hierarchy = "created_at"
    # Never the full number (kept on a queued row only until it is sent) nor its keyed hash.
    exclude = ("phone", "phone_key")
    readonly_fields = ("kind", "template", "template_id", "params", "recipient", "user", "committee", "dedupe_key",
                       "status", "reason", "attempts", "next_attempt_at", "send_before", "provider", "provider_id",
                       "created_at", "claimed_at", "sent_at", "delivered_at", "failed_at")
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Try the selected failed or refused messages again"), permissions=["view"])
    def retry(self, request, queryset):
        from django.contrib import messages
        from django.core.exceptions import ValidationError

        from members.messaging.outbox import sms_retry

        queued = 0
        for message in queryset:
            try:
                sms_retry(message=message)
                queued += 1
            except ValidationError as exc:
                self.message_user(request, f"{message.recipient} ({message.kind}): {' '.join(exc.messages)}",
                                  messages.WARNING)
        if queued:
            self.message_user(request, _("%(n)d message(s) queued again.") % {"n": queued}, messages.SUCCESS)


@admin.register(WeChatMessage)
class WeChatMessageAdmin(admin.ModelAdmin):
    """The WeChat outbox, read-only: masked openids only; a failed message says whether an SMS went instead."""

    list_display = ("created_at", "kind", "recipient", "committee", "status", "reason", "attempts",
                    "next_attempt_at", "sent_at", "fallback")
    list_filter = ("status", "kind", "fallback")
    search_fields = ("recipient", "dedupe_key", "msgid")
    date_hierarchy = "created_at"
    # Never the full openid (kept on a queued row only until it is sent).
    exclude = ("openid",)
    readonly_fields = ("kind", "recipient", "user", "committee", "notification", "template_id", "data", "url",
                       "dedupe_key", "status", "reason", "errcode", "attempts", "next_attempt_at", "msgid",
                       "fallback", "fallback_sms", "created_at", "claimed_at", "sent_at", "failed_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ContactChoice)
class ContactChoiceAdmin(ReadableHistoryAdmin):
    list_display = ("user", "channel", "updated_at")
    list_filter = ("channel",)
    search_fields = ("user__username", "user__full_name")
    raw_id_fields = ("user",)
