from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"
    verbose_name = _("Year-end evaluations")

    def ready(self) -> None:
        # The home page's "waiting for you" items and the demo data, registered with the directory.
        from evaluations import demo as evaluations_demo
        from evaluations import waiting as evaluations_waiting
        from members import demo, waiting

        waiting.register(evaluations_waiting.items_for)
        demo.register(evaluations_demo.seed)

        from decisions import subjects
        from evaluations.models import Campaign
        from evaluations.subjects import CampaignSubject

        subjects.register(Campaign, CampaignSubject())
