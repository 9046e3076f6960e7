"""Provider `sandbox`: the demo signing app at /signing-sandbox/, which plays the JPKI
client (the resident picks a demo certificate and enters the demo PIN).

The sign page sends the applicant there with a request signed by the server
(`django.core.signing`, salt `SALT`, valid `MAX_AGE` seconds) carrying the submission's
public_id, the digest of its canonical data, the applicant's user id and the return URL
(the sign page). The app signs the canonical XML and its page posts the signed XML back
to that sign page as an ordinary form of the same site, with the session's CSRF token:
both pages are served by the same deployment, so no cross-site post and no token of our
own are needed. The sign page then verifies the signed XML like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import Provider

SALT = "madoguchi.procedures.signing-sandbox"
MAX_AGE = 15 * 60


@dataclass(frozen=True)
class SandboxProvider(Provider):
    def available(self) -> bool:
        return bool(getattr(settings, "SIGNING_SANDBOX", False))


PROVIDER = SandboxProvider(
    key="sandbox",
    label=_("デモ用の署名アプリで署名する"),
    description=_(
        "試験用の署名アプリ（公的個人認証の署名用ソフトウェアの代わり）で、デモ用の電子証明書を使って署名します。"
    ),
)


@dataclass(frozen=True)
class SandboxRequest:
    """A request to the demo signing app, as the sign page made it."""

    public_id: str
    municipality_id: int
    digest: str
    user_id: int
    return_url: str


def make_request(*, public_id: str, municipality_id: int, digest: str, user_id: int, return_url: str) -> str:
    return signing.dumps(
        {"s": public_id, "m": municipality_id, "d": digest, "u": user_id, "r": return_url}, salt=SALT, compress=True
    )


def read_request(token: str) -> SandboxRequest:
    """The request in a token; `signing.BadSignature` (or `SignatureExpired`) when it
    was altered or is too old."""
    data: dict[str, Any] = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    return SandboxRequest(
        public_id=str(data["s"]),
        municipality_id=int(data["m"]),
        digest=str(data["d"]),
        user_id=int(data["u"]),
        return_url=str(data["r"]),
    )


def start_url(token: str) -> str:
    return f"{reverse('signing_sandbox:start')}?{urlencode({'request': token})}"
