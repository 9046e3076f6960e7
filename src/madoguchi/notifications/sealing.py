"""Keeping the secrets of a queued message (links with keys, sign-in codes) encrypted.

The key is derived from SECRET_KEY (and SECRET_KEY_FALLBACKS, so that rotating the key
does not strand the messages already queued); whoever can read the database alone cannot
use a password-reset link that is waiting to be sent. The sealed value is erased as soon
as the message no longer needs it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "madoguchi.notifications.sealing"


def _fernet(secret: str) -> Fernet:
    digest = salted_hmac(_SALT, "fernet-key", secret=secret, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(s) for s in secrets])


class SecretsUnavailableError(LookupError):
    """The sealed secrets cannot be opened (erased, or sealed with a retired key)."""


def seal(marker: str, values: Mapping[str, str]) -> str:
    payload = json.dumps({"marker": marker, "values": dict(values)}, ensure_ascii=False).encode()
    return _keys().encrypt(payload).decode("ascii")


def unseal(sealed: str) -> tuple[str, dict[str, str]]:
    """The marker and values of `seal()`."""
    if not sealed:
        raise SecretsUnavailableError("no secrets are kept for this message")
    try:
        payload = json.loads(_keys().decrypt(sealed.encode("ascii")))
    except InvalidToken as exc:
        raise SecretsUnavailableError("the secrets of this message cannot be decrypted") from exc
    return str(payload["marker"]), {str(k): str(v) for k, v in payload["values"].items()}
