"""The provider that talks to the sandbox gateway (`madoguchi.paysandbox`).

Options (`PAYMENT_GATEWAYS["sandbox"]["OPTIONS"]`):

- `BASE_URL`: the sandbox's origin, e.g. `https://sandbox.example.jp`; its API is then
  called over HTTP. Empty (the default): the sandbox runs in this deployment and its API
  is called in-process, through the same function its HTTP endpoint uses.
- `SECRET`: the key notifications are signed with (default: the sandbox's own,
  `PAYSANDBOX_SECRET` or derived from SECRET_KEY).
- `API_KEY`: the merchant's API key (default: derived from the secret, as the sandbox does).
- `TOLERANCE`: how old (seconds) a notification's signature may be (300).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..models import Channel
from .base import (
    CreatedPayment,
    Gateway,
    GatewayError,
    GatewayEvent,
    GatewayRefund,
    PaymentRequest,
    PermanentGatewayError,
    SignatureError,
    State,
)

SIGNATURE_HEADER = "Sandbox-Signature"
API_PREFIX = "/sandbox-gateway/api/v1/"
TIMEOUT_S = 10
METHODS = {Channel.ONLINE_CARD.value: "card", Channel.ONLINE_BANKING.value: "bank"}
STATES = {
    "created": State.PENDING,
    "pending": State.PENDING,
    "succeeded": State.SUCCEEDED,
    "declined": State.DECLINED,
    "cancelled": State.CANCELLED,
    "refunded": State.REFUNDED,
}


class SandboxGateway(Gateway):
    name = "sandbox"
    label = _("決済サンドボックス（テスト）")
    methods = (Channel.ONLINE_CARD.value, Channel.ONLINE_BANKING.value)

    # --- configuration -----------------------------------------------------------------

    def _secret(self) -> str:
        configured = str(self.options.get("SECRET", "") or "")
        if configured:
            return configured
        from madoguchi.paysandbox import conf

        return conf.secret()

    def _api_key(self) -> str:
        configured = str(self.options.get("API_KEY", "") or "")
        if configured:
            return configured
        return hmac.new(self._secret().encode(), b"api-key", hashlib.sha256).hexdigest()

    # --- transport ---------------------------------------------------------------------

    def _call(self, method: str, path: str, data: dict[str, Any] | None = None, *, key: str = "") -> dict[str, Any]:
        body = json.dumps(data).encode() if data is not None else b""
        headers = {"Authorization": f"Bearer {self._api_key()}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        base_url = str(self.options.get("BASE_URL", "") or "").rstrip("/")
        if base_url:
            status, answer = self._http(method, f"{base_url}{API_PREFIX}{path}", headers, body)
        else:
            from madoguchi.paysandbox import api

            status, answer = api.dispatch(method, path, headers, body, base_url="")
        if 200 <= status < 300:
            return answer
        message = f"sandbox gateway answered {status}: {answer.get('error', '')}"
        if status in (400, 401, 404, 409, 413):
            raise PermanentGatewayError(message)
        raise GatewayError(message)

    def _http(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(url, data=body or None, headers=headers, method=method)  # noqa: S310 - configured origin
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
                return int(response.status), json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read() or b"{}")
            except ValueError:
                answer = {}
            return exc.code, answer if isinstance(answer, dict) else {}
        except (OSError, ValueError) as exc:
            raise GatewayError(f"sandbox gateway unreachable: {exc}") from exc

    # --- the interface -----------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> CreatedPayment:
        if request.method not in METHODS:
            raise PermanentGatewayError(f"the sandbox does not collect through {request.method}")
        answer = self._call(
            "POST",
            "payments",
            {
                "amount": request.amount,
                "method": METHODS[request.method],
                "description": request.description,
                "merchant_reference": request.merchant_reference,
                "return_url": request.return_url,
                "notify_url": request.notify_url,
            },
            key=request.idempotency_key,
        )
        return CreatedPayment(provider_reference=str(answer["id"]), redirect_url=str(answer["redirect_url"]))

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        signature = ""
        for name, value in headers.items():
            if name.lower() == SIGNATURE_HEADER.lower():
                signature = value
        fields = dict(part.split("=", 1) for part in signature.split(",") if "=" in part)
        try:
            timestamp = int(fields.get("t", ""))
        except ValueError:
            raise SignatureError("no signature") from None
        expected = hmac.new(self._secret().encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields.get("v1", "")):
            raise SignatureError("signature does not match")
        if abs(time.time() - timestamp) > float(self.options.get("TOLERANCE", 300)):
            raise SignatureError("signature is too old")
        data = json.loads(body)
        return self._event(data["data"], event_id=str(data["id"]), event_type=str(data.get("type", "")))

    def query_status(self, provider_reference: str) -> GatewayEvent:
        answer = self._call("GET", f"payments/{provider_reference}")
        # A status answer is no event of its own: it stands for the latest state change.
        return self._event(answer, event_id=f"status:{answer['id']}:{answer['status_changed_at']}")

    def refund(self, provider_reference: str, *, amount: int, idempotency_key: str) -> GatewayRefund:
        answer = self._call("POST", f"payments/{provider_reference}/refunds", {"amount": amount}, key=idempotency_key)
        return GatewayRefund(reference=str(answer["id"]), amount=int(answer["amount"]))

    @staticmethod
    def _event(data: dict[str, Any], *, event_id: str, event_type: str = "") -> GatewayEvent:
        status = str(data["status"])
        if status not in STATES:
            raise ValueError(f"unknown sandbox status {status!r}")
        occurred_at = datetime.fromisoformat(str(data["status_changed_at"]))
        if occurred_at.tzinfo is None:
            raise ValueError("status_changed_at has no time zone")
        return GatewayEvent(
            event_id=event_id,
            provider_reference=str(data["id"]),
            state=STATES[status],
            amount=int(data["amount"]),
            occurred_at=occurred_at,
            event_type=event_type,
            reason=str(data.get("failure_reason", "")),
            merchant_reference=str(data.get("merchant_reference", "")),
        )
