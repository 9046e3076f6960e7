"""Issuing and revoking API tokens."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from madoguchi.accounts.models import User
from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality

from .models import ApiToken, hash_token


@transaction.atomic
def issue_token(
    *, municipality: Municipality, user: User, name: str, expires_at: datetime | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for a staff (service) account of the municipality; returns the
    token and its secret, which is never stored and cannot be shown again."""
    profile = user.staff_profile_or_none
    if profile is None or profile.municipality_id != municipality.pk:
        raise ValueError("API tokens act for a staff account of the same municipality")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        municipality=municipality, user=user, name=name, key_prefix=raw[:10], key_hash=hash_token(raw), expires_at=expires_at
    )
    audit.record(action=audit.Action.CREATE, obj=token, municipality=municipality, actor=actor, fields=["name", "user"])
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: User | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(action=audit.Action.UPDATE, obj=token, fields=["revoked_at"], actor=actor)
