from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "casework"
    label = "casework"
    verbose_name = _("Residents' requests")

    def ready(self) -> None:
        # The home page's "waiting for you" items and the demo data, registered with the directory.
        from casework import demo as casework_demo
        from casework import waiting as casework_waiting
        from members import demo, waiting

        waiting.register(casework_waiting.items_for)
        demo.register(casework_demo.seed)
