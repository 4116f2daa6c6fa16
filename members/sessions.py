"""Database sessions read together with their user: one statement per signed-in request.

Every signed-in request reads its session, then its user; Django's store and backend send two
statements. This store keeps its rows in ``members.Session``: Django's session row plus the person
it is signed in as, written from the session's data at every save, and reads the session with that
person's row through the ORM (``select_related("user")``): one statement. ``members.auth`` then
takes the user from here instead of reading it again, if the session's data names the same person;
the session hash is checked as always. Everything else (saving, cycling the key at login, flushing
at logout, clearing expired rows) is Django's own. With ``REDIS_URL`` set, settings use Django's
``cached_db`` store instead (``config.sessions_cached``), which reads the session from the cache.
"""

from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.signals import request_started
from django.utils import timezone

from members.models import Session

# The user read with the session of the request being served: (user id, user). Emptied when a
# request starts and by every load, so it never outlives the request that read it; taken (once) by
# members.auth.
signed_in: ContextVar[tuple | None] = ContextVar("sanhui_signed_in", default=None)


def _forget(**_kwargs) -> None:
    signed_in.set(None)


request_started.connect(_forget, dispatch_uid="sanhui_sessions_forget_user")


def _user_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def load(self):
        signed_in.set(None)
        if not self.session_key:  # Django's store asks the database even then; nothing can match
            return {}
        session = (self.model.objects.select_related("user")
                   .filter(session_key=self.session_key, expire_date__gt=timezone.now()).first())
        if session is None:
            # Unknown or expired: Django's own load reads again and forgets the key, so that a key
            # the browser made up is never saved (session fixation). Rare: one statement more.
            return super().load()
        data = self.decode(session.session_data)
        user_id = _user_id(data)
        # The person the data names, read with it (None: the row names someone no longer there).
        if user_id is not None and session.user_id == user_id and session.user is not None:
            signed_in.set((user_id, session.user))
        return data
