"""API tokens: issuing, revoking, recording their use. The only way to change them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import User
from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality

from .models import ApiToken, hash_token

# How stale `last_used_at` may get: recording every call would turn each read into a
# write (and, on SQLite, serialise the callers); to the minute is enough to see whether
# and when an integration still uses its token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be issued as asked; the message is for the person asking."""


def tokens_of(municipality: Municipality) -> QuerySet[ApiToken]:
    """Every token of the municipality, newest first, with the account it acts for."""
    return ApiToken.unscoped.filter(municipality=municipality).select_related("user").order_by("-created_at", "-pk")


def eligible_accounts(municipality: Municipality) -> QuerySet[User]:
    """Active staff accounts of the municipality a token may act for."""
    return User.objects.filter(is_active=True, staff_profile__municipality=municipality).order_by("email")


@transaction.atomic
def issue_token(
    *,
    municipality: Municipality,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
    channel: str = "staff_console",
) -> tuple[ApiToken, str]:
    """Issue a token that acts for a staff (service) account of the municipality, with
    that account's roles. Returns the token and its secret: only a hash is stored, so
    the secret cannot be shown again."""
    name = name.strip()
    if not name:
        raise TokenError(_("名称を入力してください。"))
    profile = user.staff_profile_or_none
    if profile is None or profile.municipality_id != municipality.pk or not user.is_active:
        raise TokenError(_("APIトークンは、この団体の有効な職員アカウントにだけ発行できます。"))
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError(_("有効期限には未来の日時を指定してください。"))
    raw = ApiToken.generate()
    token = ApiToken(
        municipality=municipality,
        user=user,
        name=name,
        key_prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=expires_at,
    )
    token.save(force_insert=True)
    audit.record(
        action=audit.Action.CREATE,
        obj=token,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=["name", "user", "expires_at"],
        extra={"acts_for": user.email, "key_prefix": token.key_prefix, "channel": channel},
    )
    return token, raw


@transaction.atomic
def revoke_token(
    token: ApiToken, *, actor: User | None = None, request: HttpRequest | None = None, channel: str = "staff_console"
) -> bool:
    """Revoke the token from now on; True if it was still unrevoked. Revoking twice
    changes nothing and records nothing the second time."""
    revoked = ApiToken.unscoped.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit.record(
            action=audit.Action.UPDATE,
            obj=token,
            municipality=token.municipality,
            actor=actor,
            request=request,
            fields=["revoked_at"],
            extra={"key_prefix": token.key_prefix, "channel": channel},
        )
    return bool(revoked)


def find_token(raw: str) -> ApiToken | None:
    """The token with this secret, whatever its state, with its account and municipality."""
    return ApiToken.unscoped.select_related("user", "municipality").filter(key_hash=hash_token(raw)).first()


def record_use(token: ApiToken, *, now: datetime | None = None) -> bool:
    """Note that the token was used, at most once per `LAST_USED_RESOLUTION`; True if
    this call wrote. The condition is in the UPDATE itself, so that concurrent calls on
    several app servers write once between them."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    written = ApiToken.unscoped.filter(stale, pk=token.pk).update(last_used_at=now)
    if written:
        token.last_used_at = now
    return bool(written)
