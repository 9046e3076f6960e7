"""Payment gateways (決済事業者): the card and internet-banking providers that residents
pay through, by name.

The deployment lists its gateways in the `PAYMENT_GATEWAYS` setting, a mapping of name to
the class and its options::

    PAYMENT_GATEWAYS = {
        "sandbox": {"CLASS": "madoguchi.payments.gateways.sandbox.SandboxGateway", "OPTIONS": {}},
        "acme": {
            "CLASS": "acme_madoguchi.gateway.AcmeGateway",
            "OPTIONS": {"MERCHANT_ID": "...", "SECRET": env("ACME_SECRET")},
        },
    }

Without the setting only the sandbox gateway is configured. A module may also register a
gateway instance from its `AppConfig.ready()` with `register()`, as notification channels
do (`madoguchi.notifications.channels`). The first gateway listed is the one residents
are offered (`default()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

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

__all__ = [
    "DEFAULT_GATEWAYS",
    "CreatedPayment",
    "Gateway",
    "GatewayError",
    "GatewayEvent",
    "GatewayRefund",
    "PaymentRequest",
    "PermanentGatewayError",
    "SignatureError",
    "State",
    "all_gateways",
    "choices",
    "default",
    "get",
    "register",
    "reset",
    "unregister",
]

DEFAULT_GATEWAYS: dict[str, dict[str, Any]] = {
    "sandbox": {"CLASS": "madoguchi.payments.gateways.sandbox.SandboxGateway", "OPTIONS": {}},
}

_REGISTRY: dict[str, Gateway] = {}
_loaded = False


def _configured() -> dict[str, dict[str, Any]]:
    configured = getattr(settings, "PAYMENT_GATEWAYS", None)
    return dict(configured) if configured is not None else dict(DEFAULT_GATEWAYS)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for name, config in _configured().items():
        try:
            cls = import_string(config["CLASS"])
        except (KeyError, ImportError) as exc:
            raise ImproperlyConfigured(f"PAYMENT_GATEWAYS[{name!r}]: {exc}") from exc
        gateway = cls(**config.get("OPTIONS", {}))
        if getattr(gateway, "name", "") != name:
            # The name in the setting is the one in URLs and stored payments; a class may
            # serve under several names (two merchant accounts of one provider).
            gateway.name = name  # type: ignore[misc]
        _REGISTRY.setdefault(name, gateway)
    _loaded = True


def register(gateway: Gateway, *, replace: bool = False) -> Gateway:
    """Make a gateway available under its name."""
    _load()
    name = getattr(gateway, "name", "")
    if not name:
        raise ImproperlyConfigured(f"{type(gateway).__name__} has no name")
    if name in _REGISTRY and not replace and type(_REGISTRY[name]) is not type(gateway):
        raise ImproperlyConfigured(f"payment gateway {name!r} is already registered")
    _REGISTRY[name] = gateway
    return gateway


def unregister(name: str) -> None:
    _load()
    _REGISTRY.pop(name, None)


def reset() -> None:
    """Forget every gateway; the next lookup reads `PAYMENT_GATEWAYS` again."""
    global _loaded
    _REGISTRY.clear()
    _loaded = False


def get(name: str) -> Gateway:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ImproperlyConfigured(f"unknown payment gateway {name!r}") from None


def all_gateways() -> Iterator[Gateway]:
    _load()
    yield from _REGISTRY.values()


def default() -> Gateway:
    """The gateway residents pay through: the first configured."""
    for gateway in all_gateways():
        return gateway
    raise ImproperlyConfigured("no payment gateway is configured (PAYMENT_GATEWAYS)")


def choices() -> list[tuple[str, str]]:
    return [(g.name, str(g.label)) for g in all_gateways()]


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs: Any) -> None:
    if setting in ("PAYMENT_GATEWAYS", "PAYSANDBOX"):
        reset()
