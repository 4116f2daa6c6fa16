from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Members directory")

    def ready(self) -> None:
        # SMS codes are six digits: ask phones for the number keypad on every code form.
        from allauth.account.forms import BaseConfirmCodeForm

        BaseConfirmCodeForm.base_fields["code"].widget.attrs["inputmode"] = "numeric"

        # The contact channels every site has (SMS, e-mail, the site only) register themselves.
        from members.messaging import channels  # noqa: F401

        # WeChat, for those who linked it through the official account.
        from members.wechat import channel  # noqa: F401
