"""Django's ``cached_db`` sessions, still served while the cache (Redis) is out of reach.

With ``REDIS_URL`` (docs/DEPLOY.md §4) a session is read from Redis and written through to the
database. Django's store already survives a cache that fails to answer a read (it falls back to the
database) or a write (it logs), but not one that fails while the session just read from the
database is put back in the cache: that raised, and every signed-in request answered 500 for as long
as Redis restarted (`make test-cluster` restarts it in the middle of a burst of votes). Here that
copy is best effort: the database holds the session either way, so nobody is signed out and nothing
fails; the cache fills again once it is back. Written with the store's public API only (the cache by
its alias, the row through the model's manager).
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.core.cache import caches
from django.utils import timezone

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    @property
    def cache(self):
        return caches[settings.SESSION_CACHE_ALIAS]

    def load(self):
        try:
            data = self.cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - as Django's: an unreachable cache is a miss
            data = None
        if data is not None:
            return data
        session = self.model.objects.filter(session_key=self.session_key, expire_date__gt=timezone.now()).first()
        if session is None:
            # Django's database store: nothing found, and it forgets the key (session fixation).
            return db.SessionStore.load(self)
        data = self.decode(session.session_data)
        try:
            self.cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception:  # noqa: BLE001 - the database has it; the next read fills the cache
            logger.warning("session cache unreachable; session read from the database only", exc_info=True)
        return data
