from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "coordination"
    label = "coordination"
    verbose_name = _("Coordination meetings")

    def ready(self) -> None:
        # The home page's "waiting for you" items and the demo data, registered with the directory.
        from coordination import demo as coordination_demo
        from coordination import waiting as coordination_waiting
        from members import demo, waiting

        waiting.register(coordination_waiting.items_for)
        demo.register(coordination_demo.seed)
