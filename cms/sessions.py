"""Django's database sessions (SESSION_ENGINE), refusing a session key Django could not
have issued.

A visitor sends whatever cookie they like, and a quoted cookie may carry octal escapes
(`sessionid="abcdefgh\\000"`): Django looked the NUL up in the session table and
PostgreSQL refused it, a 500 on every page that reads the session. Django issues keys of
lowercase letters and digits only; any other key is treated as no session at all, which
is what Django does with a key that is too short."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS

ISSUED_KEY_CHARACTERS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and set(key) <= ISSUED_KEY_CHARACTERS
