"""Template helpers of the sign-in and account pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@dataclass(frozen=True)
class ProviderButton:
    """One configured OpenID Connect provider, as the sign-in page shows it."""

    id: str
    kind: str
    name: str
    login_url: str


@register.simple_tag(takes_context=True)
def oidc_providers(context: Any, kind: str = "") -> list[ProviderButton]:
    """The deployment's OpenID Connect providers (of one kind, when given), named in the
    page's language."""
    from allauth.socialaccount.adapter import get_adapter

    request = context.get("request")
    english = (get_language() or "ja").startswith("en")
    buttons = []
    for app in get_adapter().list_apps(request, provider="openid_connect"):
        app_settings = app.settings or {}
        if app_settings.get("hidden") or (kind and app_settings.get("kind", "resident") != kind):
            continue
        buttons.append(
            ProviderButton(
                id=app.provider_id,
                kind=app_settings.get("kind", "resident"),
                name=(app_settings.get("name_en") if english else None) or app.name,
                login_url=reverse("openid_connect_login", kwargs={"provider_id": app.provider_id}),
            )
        )
    return buttons


@register.filter
def accessible_widget(field: BoundField) -> SafeString:
    """The field's widget tied to its help text and errors (aria-describedby), and
    marked invalid when it has errors."""
    attrs: dict[str, str | bool] = {}
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field: BoundField) -> bool:
    """Radio buttons and lists of checkboxes are a group with a legend."""
    return getattr(field.field.widget, "allow_multiple_selected", False) or field.widget_type in (
        "radioselect",
        "checkboxselectmultiple",
    )


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


@register.simple_tag
def second_factor_types() -> list[str]:
    """The kinds of second factor this deployment offers (MFA_SUPPORTED_TYPES)."""
    from allauth.mfa import app_settings

    return list(app_settings.SUPPORTED_TYPES)
