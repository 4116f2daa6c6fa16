from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deliberation"
    verbose_name = _("Party deliberation and floor consultations")

    def ready(self) -> None:
        # The home page's "waiting for you" items and the demo data, registered with the directory.
        from deliberation import demo as deliberation_demo
        from deliberation import waiting as deliberation_waiting
        from members import demo, waiting

        waiting.register(deliberation_waiting.items_for)
        demo.register(deliberation_demo.seed)

        from decisions import subjects
        from deliberation.models import Consultation, Topic
        from deliberation.subjects import ConsultationSubject, TopicSubject

        subjects.register(Topic, TopicSubject())
        subjects.register(Consultation, ConsultationSubject())
