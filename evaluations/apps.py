from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"
    verbose_name = _("Year-end evaluations")

    def ready(self) -> None:
        from decisions import subjects
        from evaluations.models import Campaign
        from evaluations.subjects import CampaignSubject

        subjects.register(Campaign, CampaignSubject())
