"""What the token commands share: finding the municipality and the token."""

from __future__ import annotations

from django.core.management.base import CommandError

from madoguchi.api import services
from madoguchi.api.models import ApiToken
from madoguchi.core.models import Municipality


def municipality_by_slug_or_code(value: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=value).first() or Municipality.objects.filter(code=value).first()
    if municipality is None:
        raise CommandError(f"No municipality with the URL name or code {value!r}.")
    return municipality


def token_of(municipality: Municipality, *, prefix: str | None, pk: int | None) -> ApiToken:
    tokens = services.tokens_of(municipality)
    if pk is not None:
        tokens = tokens.filter(pk=pk)
    if prefix:
        tokens = tokens.filter(key_prefix__startswith=prefix[:10])
    found = list(tokens[:2])
    if not found:
        raise CommandError(
            f"No such token in {municipality.slug}; `manage.py list_api_tokens {municipality.slug}` lists them."
        )
    if len(found) > 1:
        raise CommandError("More than one token matches; give --id.")
    return found[0]
