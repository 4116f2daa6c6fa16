from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deliberation"
    verbose_name = _("Party deliberation and floor consultations")

    def ready(self) -> None:
        from decisions import subjects
        from deliberation.models import Consultation, Topic
        from deliberation.subjects import ConsultationSubject, TopicSubject

        subjects.register(Topic, TopicSubject())
        subjects.register(Consultation, ConsultationSubject())
