"""The sandbox's merchant API (JSON), as a function of (method, path, headers, body) so
that it answers the same whether it is reached over HTTP (`views.api`) or from the same
process (the sandbox gateway's local transport).

    POST /sandbox-gateway/api/v1/payments                 create (Idempotency-Key)
    GET  /sandbox-gateway/api/v1/payments/<id>            status
    POST /sandbox-gateway/api/v1/payments/<id>/refunds    refund (Idempotency-Key)

Every call carries `Authorization: Bearer <API key>` (`conf.api_key()`).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from . import conf, services
from .models import SandboxPayment


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def dispatch(method: str, path: str, headers: Mapping[str, str], body: bytes, *, base_url: str) -> tuple[int, dict]:
    """Answer one API call: (HTTP status, JSON object). `base_url` is the sandbox's own
    origin, for the payment page's address."""
    authorisation = _header(headers, "Authorization")
    if not hmac.compare_digest(authorisation.encode(), f"Bearer {conf.api_key()}".encode()):
        return 401, {"error": "unauthorised"}
    parts = [p for p in path.strip("/").split("/") if p]
    try:
        if parts == ["payments"] and method == "POST":
            return _create(headers, body, base_url)
        if len(parts) == 2 and parts[0] == "payments" and method == "GET":
            payment = _payment(parts[1])
            return 200, _described(services.current(payment), base_url)
        if len(parts) == 3 and parts[0] == "payments" and parts[2] == "refunds" and method == "POST":
            payment = _payment(parts[1])
            data = _json(body)
            refund = services.refund(
                payment, amount=_int(data.get("amount")), idempotency_key=_header(headers, "Idempotency-Key")
            )
            return 201, {"id": refund.public_id, "payment": payment.public_id, "amount": refund.amount}
    except services.SandboxError as exc:
        return exc.status, {"error": str(exc)}
    return 404, {"error": "not found"}


def _create(headers: Mapping[str, str], body: bytes, base_url: str) -> tuple[int, dict]:
    data = _json(body)
    payment = services.create_payment(
        services.NewPayment(
            amount=_int(data.get("amount")),
            method=str(data.get("method", "")),
            description=str(data.get("description", "")),
            merchant_reference=str(data.get("merchant_reference", "")),
            return_url=str(data.get("return_url", "")),
            notify_url=str(data.get("notify_url", "")),
        ),
        idempotency_key=_header(headers, "Idempotency-Key"),
    )
    return 201, _described(payment, base_url)


def _described(payment: SandboxPayment, base_url: str) -> dict[str, Any]:
    page = reverse("paysandbox:pay", args=[payment.public_id])
    return {**services.as_json(payment), "redirect_url": f"{base_url.rstrip('/')}{page}"}


def _payment(public_id: str) -> SandboxPayment:
    payment = SandboxPayment.objects.filter(public_id=public_id).first()
    if payment is None:
        raise services.SandboxError("no such payment", status=404)
    return payment


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise services.SandboxError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise services.SandboxError("the body is not a JSON object")
    return data


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise services.SandboxError("amount must be an integer")
    return value
