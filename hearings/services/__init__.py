"""Every write of a hearing, one function per change: ``lifecycle`` (settings, drafting, the moves of
``Hearing.TRANSITIONS``) and ``sessions`` (registrations, opinions, the session, minutes, objections).
Callers import this package: ``from hearings import services``.
"""

from hearings.services.lifecycle import (  # noqa: F401
    affected_households_q,
    affected_user_ids,
    hearing_announce,
    hearing_archive,
    hearing_attachment_add,
    hearing_cancel,
    hearing_create,
    hearing_panel_add,
    hearing_panel_remove,
    hearing_publish_outcome,
    hearing_session_end,
    hearing_session_start,
    hearing_settings_save,
    hearing_update,
    is_affected,
    settings_for,
)
from hearings.services.sessions import (  # noqa: F401
    hearing_check_in,
    hearing_minutes_circulate,
    hearing_minutes_confirm,
    hearing_minutes_correct,
    hearing_minutes_finalize,
    hearing_minutes_record_paper,
    hearing_minutes_save,
    hearing_objection_answer,
    hearing_objection_file,
    hearing_opinion_save,
    hearing_register,
    hearing_registration_decide,
    hearing_statement_add,
    hearing_vote_create,
)
