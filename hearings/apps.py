from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hearings"
    verbose_name = _("Hearings")

    def ready(self) -> None:
        # The home page's "waiting for you" items and the demo data, registered with the directory.
        from hearings import demo as hearings_demo
        from hearings import waiting as hearings_waiting
        from members import demo, waiting

        waiting.register(hearings_waiting.items_for)
        demo.register(hearings_demo.seed)
