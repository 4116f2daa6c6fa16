from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decisions"
    verbose_name = _("Ballots and votes")

    def ready(self) -> None:
        # The home page's "waiting for you" items and the demo data, registered with the directory.
        from decisions import demo as decisions_demo
        from decisions import waiting as decisions_waiting
        from members import demo, waiting

        waiting.register(decisions_waiting.items_for)
        demo.register(decisions_demo.seed)

        from django.core import checks
        from django.db.models.signals import post_migrate

        from decisions import throttle

        checks.register(throttle.check_upsert_support)
        post_migrate.connect(_reinstall_triggers, sender=self)


def _reinstall_triggers(sender, using, **kwargs) -> None:
    """After every migrate: a migration that rebuilt a table of the register (SQLite) left it bare."""
    from django.db import connections

    from decisions import triggers, turnout

    triggers.install(connections[using])
    turnout.install(connections[using])
