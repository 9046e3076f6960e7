"""`private_key_jwt` client authentication (OpenID Connect Core 9) at a provider's token
endpoint, which the digital authentication app's service API asks of its clients.

allauth's OpenID Connect provider authenticates with a client secret only. For a provider
configured with `"token_auth_method": "private_key_jwt"`, allauth sends the client id in
the form body (`client_secret_post` without a secret), and the HTTP session that
`SocialAccountAdapter.get_requests_session()` hands to allauth — the hook allauth offers
for its outgoing requests — adds a short-lived JWT signed with the deployment's key
instead: iss = sub = client id, aud = the token endpoint, a unique jti, 60 seconds of
validity.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LIFETIME_S = 60


class ClientKeyError(ValueError):
    """The private key of a provider's client cannot be used."""


@dataclass(frozen=True)
class ClientKey:
    """The key a client signs its assertions with."""

    pem: str
    key_id: str = ""

    @property
    def algorithm(self) -> str:
        key = self._load()
        if isinstance(key, rsa.RSAPrivateKey):
            return "RS256"
        if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
            return "ES256"
        raise ClientKeyError("the client key must be an RSA key or an EC P-256 key")

    def _load(self) -> Any:
        try:
            return load_pem_private_key(self.pem.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise ClientKeyError(f"the client key is not an unencrypted PEM private key: {exc}") from exc

    def assertion(self, client_id: str, audience: str) -> str:
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + LIFETIME_S,
        }
        headers = {"kid": self.key_id} if self.key_id else None
        return jwt.encode(claims, self._load(), algorithm=self.algorithm, headers=headers)


class ClientAssertionSession(requests.Session):
    """A requests session that authenticates token requests of the listed clients with a
    signed assertion rather than a secret."""

    def __init__(self, keys: dict[str, ClientKey], timeout: float | None = None) -> None:
        super().__init__()
        self.client_keys = keys
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        data = kwargs.get("data")
        if (
            str(method).upper() == "POST"
            and isinstance(data, dict)
            and data.get("grant_type")
            and data.get("client_id") in self.client_keys
        ):
            client_id = str(data["client_id"])
            signed = {k: v for k, v in data.items() if k != "client_secret"}
            signed["client_assertion_type"] = ASSERTION_TYPE
            signed["client_assertion"] = self.client_keys[client_id].assertion(client_id, audience=str(url))
            kwargs["data"] = signed
        if self.default_timeout is not None:
            kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)
