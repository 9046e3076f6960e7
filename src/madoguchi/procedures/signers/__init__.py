"""Signing providers (署名の方法): how an applicant's signed XML reaches madoguchi.

Each provider is one module with a `PROVIDER` (`Provider`): `upload` — the applicant
downloads the XML, signs it with their own JPKI software (e.g. the JPKI client of
J-LIS with a My Number Card reader) and uploads the signed file; `sandbox` — the demo
signing app at /signing-sandbox/ (only when `settings.SIGNING_SANDBOX`). Whatever the
provider, madoguchi verifies the signed XML itself (`services.signatures`): a provider
is only a way of getting the file, never a reason to trust it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Provider:
    key: str
    label: str | Promise
    description: str | Promise

    def available(self) -> bool:
        return True


def providers() -> list[Provider]:
    """The providers available in this deployment, in the order the sign page shows them."""
    from . import sandbox, upload

    return [p for p in (upload.PROVIDER, sandbox.PROVIDER) if p.available()]


def provider_keys() -> set[str]:
    return {p.key for p in providers()}
