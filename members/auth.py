"""Who a request is from: the signed-in user, usually read together with the session.

Every signed-in request asks the authentication backend for its user (``get_user``), which Django
answers with ``User.objects.get(pk=…)``, a second statement after the session's. The session store
(``members.sessions``) reads the session with its user in one statement and leaves that user for
this request; ``get_user`` takes it if it is the person asked for, and otherwise asks Django's
backend as usual. Signing in, the session hash check, permissions and everything else are the
backends' own.
"""

from allauth.account import auth_backends
from django.contrib.auth import backends

from members.sessions import signed_in


class SessionUserMixin:
    """``get_user``: the user read with this request's session, if it is ``user_id``; else Django's read."""

    def get_user(self, user_id):
        found = signed_in.get()
        if found is not None:
            signed_in.set(None)  # once: a second call reads the row again
            if found[0] == user_id:
                return found[1] if self.user_can_authenticate(found[1]) else None
        return super().get_user(user_id)


class ModelBackend(SessionUserMixin, backends.ModelBackend):
    """Django's username and password backend (the admin's sign-in)."""


class AuthenticationBackend(SessionUserMixin, auth_backends.AuthenticationBackend):
    """allauth's backend (phone or username, rate limits), which sign-in through the site uses."""
