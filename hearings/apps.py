from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hearings"
    verbose_name = _("Hearings")
