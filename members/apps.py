from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Members directory")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # A migration that rebuilt a counted table (SQLite) left it without the tally triggers.
        post_migrate.connect(_reinstall_tally_triggers, sender=self)

        # SMS codes are six digits: ask phones for the number keypad on every code form.
        from allauth.account.forms import BaseConfirmCodeForm

        BaseConfirmCodeForm.base_fields["code"].widget.attrs["inputmode"] = "numeric"

        # The contact channels every site has (SMS, e-mail, the site only) register themselves.
        from members.messaging import channels  # noqa: F401

        # WeChat, for those who linked it through the official account.
        from members.wechat import channel  # noqa: F401


def _reinstall_tally_triggers(sender, using, **kwargs) -> None:
    from django.db import connections

    from members import tallies

    tallies.install(connections[using])
