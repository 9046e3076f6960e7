"""Filling other fields of a form from an htmx response, by out-of-band swap.

A field that fills others (the postal code fills prefecture and city; a bank picker fills
the bank code) sends, with its request, a description of the inputs to fill: their id,
name and the attributes they were rendered with (required, maxlength, autocomplete,
aria-describedby …). The response renders each input again with its new value and
``hx-swap-oob="true"``, so the input keeps everything the form gave it, and it writes
the message for screen readers into the field's role=status region with an innerHTML
swap (the region itself stays in place, so that the change is announced).

The description comes from the client, so everything in it is checked against narrow
patterns and a list of allowed attributes before it is rendered: a crafted request can
produce nothing but a plain text input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString

# Attributes an autofilled input keeps. Event handlers, styles and URLs can never pass.
_KEPT_ATTRIBUTES = frozenset(
    {
        "aria-describedby",
        "autocapitalize",
        "autocomplete",
        "class",
        "dir",
        "inputmode",
        "lang",
        "maxlength",
        "minlength",
        "placeholder",
        "required",
        "size",
        "spellcheck",
    }
)
_ID_RE = re.compile(r"^[A-Za-z][\w\-:.]{0,99}$")
_NAME_RE = re.compile(r"^[\w\-.]{1,100}$")
# Attribute values: words, ids, numbers; no quotes, angle brackets or colons-with-slashes.
_VALUE_RE = re.compile(r"^[\w\- .]{0,200}$")
_PLACEHOLDER_RE = re.compile(r"^[^<>\"'`&]{0,100}$")
MAX_TARGETS = 8
MAX_DESCRIPTION = 4000


@dataclass(frozen=True)
class FillTarget:
    """One input to fill: which part of the answer goes in, and how it is rendered."""

    part: str
    id: str
    name: str
    attrs: dict[str, str | bool] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"part": self.part, "id": self.id, "name": self.name, "attrs": self.attrs}


@dataclass(frozen=True)
class FillRequest:
    """What the requesting field sent: its own parameter name, its status region and
    the inputs to fill."""

    source: str
    status: str
    targets: tuple[FillTarget, ...] = ()


def is_field_name(value: str) -> bool:
    """Whether a request parameter may name a form field."""
    return bool(_NAME_RE.match(value or ""))


def target_for(bound_field: BoundField, part: str) -> FillTarget | None:
    """The description of a form field as it is rendered now; None for widgets that
    are not single-line text inputs (a select cannot be rebuilt from a description)."""
    widget = bound_field.field.widget
    if not isinstance(widget, forms.TextInput) or widget.input_type not in ("text", "search"):
        return None
    rendered: dict[str, Any] = {**widget.attrs, **bound_field.build_widget_attrs({}, widget)}
    # The new value replaces what was wrong with the old one.
    rendered.pop("aria-invalid", None)
    attrs = clean_attrs(rendered)
    if not bound_field.auto_id:
        return None
    return FillTarget(part=part, id=bound_field.auto_id, name=bound_field.html_name, attrs=attrs)


def clean_attrs(attrs: Mapping[str, Any]) -> dict[str, str | bool]:
    kept: dict[str, str | bool] = {}
    for key, value in attrs.items():
        if key not in _KEPT_ATTRIBUTES or value is None or value is False:
            continue
        if value is True:
            kept[key] = True
            continue
        text = str(value)
        pattern = _PLACEHOLDER_RE if key == "placeholder" else _VALUE_RE
        if pattern.match(text):
            kept[key] = text
    return kept


def encode(source: str, status: str, targets: Iterable[FillTarget] = ()) -> str:
    """The JSON that the requesting widget puts into hx-vals."""
    return json.dumps(
        {"source": source, "status": status, "targets": [t.as_json() for t in targets]},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(raw: str, *, parts: Iterable[str]) -> FillRequest:
    """Read and check a description; ValueError when anything in it is not allowed."""
    if not raw or len(raw) > MAX_DESCRIPTION:
        raise ValueError("missing or oversized description")
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("description is not an object")
    source, status = data.get("source"), data.get("status")
    if not (isinstance(source, str) and _NAME_RE.match(source)):
        raise ValueError("bad source")
    if not (isinstance(status, str) and _ID_RE.match(status)):
        raise ValueError("bad status id")
    raw_targets = data.get("targets") or []
    if not isinstance(raw_targets, list) or len(raw_targets) > MAX_TARGETS:
        raise ValueError("bad targets")
    allowed_parts = set(parts)
    targets = []
    for item in raw_targets:
        if not isinstance(item, dict):
            raise ValueError("bad target")
        part, target_id, name, attrs = item.get("part"), item.get("id"), item.get("name"), item.get("attrs", {})
        if part not in allowed_parts:
            raise ValueError("unknown part")
        if not (isinstance(target_id, str) and _ID_RE.match(target_id)):
            raise ValueError("bad target id")
        if not (isinstance(name, str) and _NAME_RE.match(name)):
            raise ValueError("bad target name")
        if not isinstance(attrs, dict):
            raise ValueError("bad attrs")
        targets.append(FillTarget(part=part, id=target_id, name=name, attrs=clean_attrs(attrs)))
    return FillRequest(source=source, status=status, targets=tuple(targets))


def render_fill(target: FillTarget, value: str) -> SafeString:
    """The input again, with its value, swapped in place of the old one."""
    attrs: dict[str, Any] = {**target.attrs, "id": target.id, "hx-swap-oob": "true"}
    return SafeString(forms.TextInput().render(target.name, value, attrs=attrs))


def render_status(status_id: str, message: str) -> SafeString:
    """The message, written into the requesting field's role=status region."""
    return format_html('<span id="{}" hx-swap-oob="innerHTML">{}</span>', status_id, message)
