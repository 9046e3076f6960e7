"""Writing to and checking the audit log: every module records through `record()`.

Record every change, and every read of personal data (個人情報), with `personal_data=True`
and the resident as `subject`. Staff give a reason before they open a resident's
personal data (`madoguchi.audit.access`); `record()` takes that reason from the request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.core.logging import request_id_var

from .models import GENESIS_HASH, Action, AuditChainHead, AuditEntry

if TYPE_CHECKING:
    from madoguchi.core.models import Municipality

__all__ = ["Action", "ChainProblem", "chain_name", "record", "verify_chain"]

DEPLOYMENT_CHAIN = "deployment"
REASON_MAX_LENGTH = 2000


def chain_name(municipality: Municipality | None) -> str:
    return municipality.code if municipality is not None else DEPLOYMENT_CHAIN


# --- Keys ------------------------------------------------------------------------------


def _derived_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"madoguchi.audit.chain", hashlib.sha256).digest()


def chain_keys() -> list[bytes]:
    """The key new entries are hashed with, then older keys still accepted when a chain
    is verified (after `AUDIT_CHAIN_KEY` or `SECRET_KEY` was rotated).

    Without `AUDIT_CHAIN_KEY` the key is derived from `SECRET_KEY`; a production
    deployment sets its own, so that rotating `SECRET_KEY` leaves the log alone.
    """
    configured: str = getattr(settings, "AUDIT_CHAIN_KEY", "") or ""
    keys = [_derived_key(configured) if configured else _derived_key(settings.SECRET_KEY)]
    for old in getattr(settings, "AUDIT_CHAIN_KEY_FALLBACKS", []) or []:
        keys.append(_derived_key(old))
    if not configured:
        keys.extend(_derived_key(old) for old in getattr(settings, "SECRET_KEY_FALLBACKS", []) or [])
    return list(dict.fromkeys(keys))


# --- Recording -------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, the proxy is configured (docs/operations.md) to set REMOTE_ADDR via
    # the WSGI server's forwarded-allow-ips; X-Forwarded-For is never trusted here.
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return ""


def _clean_text(value: Any, limit: int) -> str:
    # PostgreSQL refuses NUL in text; a value typed by an attacker must not make the
    # entry (and with it the action being recorded) fail.
    return str(value or "").replace("\x00", "\ufffd")[:limit]


def _clean_json(value: Any) -> Any:
    """What the JSON column will give back: plain JSON types, no NUL characters."""

    def without_nul(item: Any) -> Any:
        if isinstance(item, str):
            return item.replace("\x00", "\ufffd")
        if isinstance(item, list):
            return [without_nul(v) for v in item]
        if isinstance(item, dict):
            return {without_nul(k): without_nul(v) for k, v in item.items()}
        return item

    return without_nul(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


def _object_fields(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk or ""), str(obj)


def _resolve_municipality(obj: models.Model | None, request: HttpRequest | None) -> Municipality | None:
    from madoguchi.core.models import Municipality

    if isinstance(obj, Municipality):
        return obj
    if obj is not None and getattr(obj, "municipality_id", None):
        cached = obj._state.fields_cache.get("municipality")
        if isinstance(cached, Municipality):
            return cached
        return Municipality.objects.get(pk=obj.municipality_id)  # type: ignore[attr-defined]
    if request is not None:
        return getattr(request, "municipality", None)
    return None


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    fields: Iterable[str] = (),
    personal_data: bool = False,
    subject: models.Model | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    actor: Any = None,
    municipality: Municipality | None = None,
    extra: dict[str, Any] | None = None,
    object_type: str = "",
) -> AuditEntry:
    """Append one entry to the municipality's chain (in the caller's transaction: an
    action that is rolled back leaves no entry).

    `obj` is what was acted on, `subject` the person whose personal data it was,
    `fields` the names of the fields read or changed (never their values), `extra`
    anything else an auditor needs (never a password or a secret). Without an `obj`
    (a list, a search, an export), `object_type` ("app_label.model_name") says what
    kind of records it concerned.
    """
    if municipality is None:
        municipality = _resolve_municipality(obj, request)
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    if not reason and request is not None and personal_data:
        from .access import current_reason

        # The reason is given for the resident (the subject); older callers keyed it by
        # the object shown.
        reason = current_reason(request, subject) or current_reason(request, obj) or ""
    object_type, object_id, object_repr = _object_fields(obj) if obj is not None else (object_type, "", "")
    request_id = getattr(request, "request_id", "") or (request_id_var.get() if request_id_var.get() != "-" else "")
    chain = chain_name(municipality)
    with transaction.atomic():
        # The lock on the head serialises writers of one chain across app servers.
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(chain=chain)
        entry = AuditEntry(
            chain=chain,
            sequence=head.last_sequence + 1,
            municipality_id=municipality.pk if municipality is not None else None,
            municipality_code=municipality.code if municipality is not None else "",
            occurred_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=_clean_text(getattr(actor, "email", "") or actor or "", 254),
            action=str(action),
            object_type=_clean_text(object_type, 100),
            object_id=_clean_text(object_id, 64),
            object_repr=_clean_text(object_repr, 200),
            fields=sorted({_clean_text(f, 100) for f in fields}),
            personal_data=bool(personal_data),
            subject_id=getattr(subject, "pk", None),
            reason=_clean_text(reason, REASON_MAX_LENGTH),
            ip_address=client_ip(request) if request is not None else "",
            user_agent=_clean_text(request.headers.get("User-Agent", "") if request is not None else "", 300),
            request_id=_clean_text(request_id, 64),
            extra=_clean_json(extra or {}),
            previous_hash=head.last_hash,
        )
        entry.entry_hash = entry.compute_hash(chain_keys()[0])
        entry.save(force_insert=True)
        head.last_sequence = entry.sequence
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


# --- Reading ---------------------------------------------------------------------------


def entries_for(municipality: Municipality | None) -> QuerySet[AuditEntry]:
    """The log of one municipality; `None` is the deployment's operator, who sees all."""
    entries = AuditEntry.objects.all()
    if municipality is not None:
        entries = entries.filter(municipality_id=municipality.pk)
    return entries


def people_in_chain(municipality: Municipality) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """Subqueries of the account ids that appear in the municipality's log as the one
    who acted and as the one whose data it was: the people who used its services."""
    mine = AuditEntry.objects.filter(municipality_id=municipality.pk)
    return (
        mine.filter(actor_id__isnull=False).values("actor_id"),
        mine.filter(subject_id__isnull=False).values("subject_id"),
    )


def last_check(chain: str) -> AuditEntry | None:
    """The latest recorded verification of a chain (kept in the deployment's chain)."""
    return (
        AuditEntry.objects.filter(chain=DEPLOYMENT_CHAIN, action=Action.VERIFY, extra__chain=chain)
        .order_by("-sequence")
        .first()
    )


# --- Verifying -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """The first place where a chain no longer holds together."""

    chain: str
    sequence: int | None
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"#{self.sequence} (id {self.entry_id})" if self.sequence is not None else "(end of chain)"
        return f"chain {self.chain}: entry {where}: {self.problem}"


@dataclass(frozen=True)
class ChainResult:
    chain: str
    checked: int
    last_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _entries(chain: str) -> Iterator[AuditEntry]:
    return AuditEntry.objects.filter(chain=chain).order_by("sequence").iterator(chunk_size=2000)


def _last_good_checkpoint(chain: str) -> tuple[int, str] | None:
    """Where an earlier verification saw this chain end, when it found it whole."""
    entry = (
        AuditEntry.objects.filter(chain=DEPLOYMENT_CHAIN, action=Action.VERIFY, extra__chain=chain, extra__ok=True)
        .order_by("-sequence")
        .first()
    )
    if entry is None or not entry.extra.get("entries"):
        return None
    return int(entry.extra["entries"]), str(entry.extra.get("last_hash", ""))


def count_entries(chain: str) -> int:
    return AuditEntry.objects.filter(chain=chain).count()


def verify_chain(chain: str, *, progress: Callable[[int], None] | None = None) -> ChainResult:
    """Walk one chain from its first entry and return how many entries hold together
    and the first problem: an entry whose content or place was changed, a missing entry,
    an entry that does not follow the one before it, or a cut-off end (compared with the
    chain's head and with the last verification that found the chain whole)."""
    keys = chain_keys()
    checkpoint = _last_good_checkpoint(chain)
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0

    def problem(entry: AuditEntry | None, text: str) -> ChainResult:
        return ChainResult(
            chain,
            checked,
            expected_previous,
            ChainProblem(chain, entry.sequence if entry else None, entry.pk if entry else None, text),
        )

    for entry in _entries(chain):
        if entry.sequence != expected_sequence:
            missing = (
                f"#{expected_sequence}"
                if entry.sequence == expected_sequence + 1
                else f"#{expected_sequence}–#{entry.sequence - 1}"
            )
            return problem(entry, f"entry {missing} before this one is missing (deleted)")
        if not any(hmac.compare_digest(entry.compute_hash(key), entry.entry_hash) for key in keys):
            return problem(entry, "its content or position was changed after it was written (the hash does not match)")
        if entry.previous_hash != expected_previous:
            return problem(entry, "it does not follow the entry before it (entries were reordered or replaced)")
        if checkpoint is not None and entry.sequence == checkpoint[0] and entry.entry_hash != checkpoint[1]:
            return problem(entry, "it is not the entry an earlier verification saw at this place")
        expected_previous = entry.entry_hash
        expected_sequence += 1
        checked += 1
        if progress is not None:
            progress(checked)
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_previous):
        return problem(None, f"the chain ends at #{checked} but #{head.last_sequence} was written (entries cut off)")
    if checkpoint is not None and checked < checkpoint[0]:
        return problem(
            None, f"the chain ends at #{checked} but an earlier verification saw #{checkpoint[0]} (entries cut off)"
        )
    return ChainResult(chain, checked, expected_previous, None)


def all_chains() -> list[str]:
    chains = set(AuditChainHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    return sorted(chains)


def record_check(result: ChainResult) -> AuditEntry:
    """Keep the outcome of a verification in the deployment's chain, where the next
    verification finds it: entries cut off from a chain's end after a check are noticed
    even if the chain's head was rewound with them."""
    from madoguchi.core.models import Municipality

    municipality = Municipality.objects.filter(code=result.chain).first()
    return record(
        action=Action.VERIFY,
        municipality=None,
        extra={
            "chain": result.chain,
            "municipality_id": municipality.pk if municipality else None,
            "ok": result.ok,
            "entries": result.checked,
            "last_hash": result.last_hash,
            "problem": str(result.problem) if result.problem else "",
        },
    )
