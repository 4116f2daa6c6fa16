"""Every write of a coordination meeting, one function per change: ``meetings`` (the lifecycle, participants,
notice, session), ``documents`` (record and agreement) and ``actions`` (agreed actions and their follow-up).
Callers import this package: ``from coordination import services``.
"""

from coordination.services.actions import (  # noqa: F401
    action_add,
    action_progress,
    action_remove,
    remind_due_actions,
)
from coordination.services.documents import (  # noqa: F401
    document_confirm,
    document_correct,
    document_edit,
    document_record_paper,
    document_submit,
)
from coordination.services.meetings import (  # noqa: F401
    coordination_accept,
    coordination_cancel,
    coordination_close,
    coordination_conclude,
    coordination_decline,
    coordination_escalate,
    coordination_give_notice,
    coordination_open,
    coordination_request,
    coordination_schedule,
    coordination_settings_set,
    coordination_start,
    participant_add,
    participant_remove,
    statement_add,
)
