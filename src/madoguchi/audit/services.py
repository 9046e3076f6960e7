"""Writing to and checking the audit log: every module records through `record()`.

Record every change, and every read of personal data (個人情報), with `personal_data=True`
and the resident as `subject`. Staff give a reason before they open a resident's
personal data (`madoguchi.audit.access`); `record()` takes that reason from the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.core.logging import request_id_var

from .models import GENESIS_HASH, Action, AuditChainHead, AuditEntry

if TYPE_CHECKING:
    from madoguchi.core.models import Municipality

__all__ = ["Action", "record", "verify_chain", "ChainProblem", "chain_name"]

DEPLOYMENT_CHAIN = "deployment"


def chain_name(municipality: Municipality | None) -> str:
    return municipality.code if municipality is not None else DEPLOYMENT_CHAIN


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy, the proxy is configured (docs/operations.md) to set REMOTE_ADDR via
    # the WSGI server's forwarded-allow-ips; X-Forwarded-For is never trusted here.
    return request.META.get("REMOTE_ADDR") or None


def _object_fields(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk or ""), str(obj)[:200]


def _resolve_municipality(obj: models.Model | None, request: HttpRequest | None) -> Municipality | None:
    from madoguchi.core.models import Municipality

    if isinstance(obj, Municipality):
        return obj
    if obj is not None and getattr(obj, "municipality_id", None):
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
) -> AuditEntry:
    """Append one entry to the municipality's chain (in the caller's transaction: an
    action that is rolled back leaves no entry)."""
    if municipality is None:
        municipality = _resolve_municipality(obj, request)
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    if not reason and request is not None and personal_data:
        from .access import current_reason

        reason = current_reason(request, obj) or ""
    object_type, object_id, object_repr = _object_fields(obj)
    chain = chain_name(municipality)
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(chain=chain)
        entry = AuditEntry(
            chain=chain,
            sequence=head.last_sequence + 1,
            municipality_id=municipality.pk if municipality is not None else None,
            municipality_code=municipality.code if municipality is not None else "",
            occurred_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=(getattr(actor, "email", "") or str(actor or ""))[:254],
            action=str(action),
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            fields=sorted({str(f) for f in fields}),
            personal_data=personal_data,
            subject_id=getattr(subject, "pk", None),
            reason=reason,
            ip_address=client_ip(request) if request is not None else None,
            user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:300],
            request_id=getattr(request, "request_id", "") or (request_id_var.get() if request_id_var.get() != "-" else ""),
            extra=extra or {},
            previous_hash=head.last_hash,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.last_sequence = entry.sequence
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


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


def _entries(chain: str) -> Iterator[AuditEntry]:
    return AuditEntry.objects.filter(chain=chain).order_by("sequence").iterator(chunk_size=2000)


def verify_chain(chain: str, *, progress: Any = None) -> tuple[int, ChainProblem | None]:
    """Walk one chain from its first entry; return how many entries hold and the first
    problem (edited content, a missing or reordered entry, a cut-off end)."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in _entries(chain):
        if entry.sequence != expected_sequence:
            return checked, ChainProblem(chain, entry.sequence, entry.pk, f"sequence {expected_sequence} is missing")
        if entry.previous_hash != expected_previous:
            return checked, ChainProblem(chain, entry.sequence, entry.pk, "previous hash does not match the entry before")
        if entry.compute_hash() != entry.entry_hash:
            return checked, ChainProblem(chain, entry.sequence, entry.pk, "content was changed after it was written")
        expected_previous = entry.entry_hash
        expected_sequence += 1
        checked += 1
        if progress is not None:
            progress(checked)
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_previous):
        return checked, ChainProblem(chain, None, None, f"the chain ends at #{checked} but #{head.last_sequence} was written")
    return checked, None


def all_chains() -> list[str]:
    chains = set(AuditChainHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    return sorted(chains)
