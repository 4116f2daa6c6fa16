"""The SMS templates the site sends, as registered with the provider (China's rules: approved text).

Every SMS is one of these templates, filled with its parameters, under the approved signature
(``SMS_SIGN_NAME``); the provider's template id for each is a setting (``SMS_TEMPLATE_<NAME>``).
``text`` is the wording to register (Alibaba Cloud: ``${name}``; Tencent Cloud: ``{1}``, ``{2}`` …
in the order of ``params``); the console and test backends show it filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SmsTemplate:
    name: str
    params: tuple[str, ...]
    text: str
    # Parameters blanked in the outbox once the message is sent (or given up): login codes.
    secret: frozenset[str] = frozenset()

    @property
    def setting(self) -> str:
        return f"SMS_TEMPLATE_{self.name.upper()}"

    def template_id(self) -> str:
        return settings.SMS_TEMPLATES.get(self.name, "")

    def render(self, values: list[str]) -> str:
        """The message as the recipient reads it (without the signature the provider adds)."""
        return self.text.format(**dict(zip(self.params, values, strict=True)))

    def tencent_text(self) -> str:
        return self.text.format(**{name: f"{{{i}}}" for i, name in enumerate(self.params, start=1)})

    def aliyun_text(self) -> str:
        return self.text.format(**{name: f"${{{name}}}" for name in self.params})


TEMPLATES: dict[str, SmsTemplate] = {t.name: t for t in [
    SmsTemplate("verify", ("code",), "您的三会验证码为{code}，15分钟内有效，请勿告诉他人。",
                secret=frozenset({"code"})),
    SmsTemplate("unknown_account", (), "有人用本号码登录三会，但本号码没有账号。如非本人操作，请忽略本短信。"),
    SmsTemplate("account_exists", (), "本号码已有三会账号，请直接登录，或重设密码。"),
    SmsTemplate("heads", ("id", "event", "heads"), "三会投票{id}：{event}。审计链头：{heads}"),
    SmsTemplate("heads_titled", ("id", "title", "event", "heads"),
                "三会投票{id}“{title}”：{event}。审计链头：{heads}"),
    SmsTemplate("notice", ("title",), "三会通知：{title}。请登录三会查看。"),
]}


def template(name: str) -> SmsTemplate:
    return TEMPLATES[name]
