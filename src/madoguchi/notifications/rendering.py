"""Rendering notification templates, and the placeholders that stand for secrets.

A notification template is a directory `notifications/<key>/` in any app's templates:

- `subject.txt`: one line (line breaks are joined);
- `body.txt`: the plain-text body (always sent);
- `body.html`: an HTML body (optional; `notifications/email_base.html` is a base to extend).

Text templates are rendered without HTML escaping; the HTML body is escaped as usual.

Secrets (a password-reset link, a sign-in code) are rendered as placeholders such as
`[[3f2a9c01d4e5b6a7:password_reset_url]]`; the random marker differs for every message,
so that no other value in the context can fake one. The worker replaces them with the
values just before the channel sends the message (`reveal`), staff screens with a
notice that the value is not shown (`mask`).
"""

from __future__ import annotations

import html
import re
import secrets as pysecrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.template import Context, TemplateDoesNotExist, engines
from django.utils.translation import gettext as _

KEY_RE = re.compile(r"^[a-z0-9_]+(?:[./][a-z0-9_]+)*$")
SECRET_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
PLACEHOLDER_RE = re.compile(r"\[\[([0-9a-f]{16}):([a-z][a-z0-9_]{0,40})\]\]")


class TemplateMissingError(LookupError):
    """No subject.txt or body.txt for the template key."""


class SecretMissingError(LookupError):
    """A placeholder has no value to put back."""


@dataclass(frozen=True)
class RenderedContent:
    subject: str
    body_text: str
    body_html: str


def template_names(key: str) -> dict[str, str]:
    if not KEY_RE.match(key):
        raise ValueError(f"invalid notification template key {key!r}")
    return {part: f"notifications/{key}/{part}" for part in ("subject.txt", "body.txt", "body.html")}


def template_exists(key: str) -> bool:
    try:
        engines["django"].get_template(template_names(key)["body.txt"])
    except (TemplateDoesNotExist, ValueError):
        return False
    return True


def _render(name: str, context: Mapping[str, Any], *, autoescape: bool) -> str:
    backend_template: Any = engines["django"].get_template(name)
    # The backend's render() always escapes; the engine-level template takes a Context
    # that says whether to (plain text must not turn "&" into "&amp;").
    return str(backend_template.template.render(Context(dict(context), autoescape=autoescape)))


def render(key: str, context: Mapping[str, Any]) -> RenderedContent:
    """Render the templates of `key` in the active language."""
    names = template_names(key)
    try:
        subject = _render(names["subject.txt"], context, autoescape=False)
        body_text = _render(names["body.txt"], context, autoescape=False)
    except TemplateDoesNotExist as exc:
        raise TemplateMissingError(f"notification template {key!r} has no {exc}") from exc
    try:
        body_html = _render(names["body.html"], context, autoescape=True)
    except TemplateDoesNotExist:
        body_html = ""
    subject = " ".join(subject.split())
    return RenderedContent(subject=subject, body_text=_tidy(body_text), body_html=body_html.strip())


def _tidy(text: str) -> str:
    # Template tags leave blank lines behind; keep paragraphs, drop runs of empty lines.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidied: list[str] = []
    for line in lines:
        if line == "" and tidied and tidied[-1] == "":
            continue
        tidied.append(line)
    return "\n".join(tidied) + "\n"


def new_marker() -> str:
    return pysecrets.token_hex(8)


def placeholders(marker: str, names: list[str] | tuple[str, ...] | set[str]) -> dict[str, str]:
    for name in names:
        if not SECRET_NAME_RE.match(name):
            raise ValueError(f"invalid secret name {name!r}")
    return {name: f"[[{marker}:{name}]]" for name in names}


def has_placeholders(text: str) -> bool:
    return bool(PLACEHOLDER_RE.search(text or ""))


def reveal(text: str, marker: str, values: Mapping[str, str], *, as_html: bool = False) -> str:
    """Put the secrets back in. A placeholder whose value is missing is an error: a
    message must never go out with a broken link."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) != marker:
            return match.group(0)
        try:
            value = values[match.group(2)]
        except KeyError:
            raise SecretMissingError(f"secret {match.group(2)!r} is no longer available") from None
        return html.escape(value, quote=True) if as_html else value

    return PLACEHOLDER_RE.sub(replace, text)


def mask(text: str) -> str:
    """What staff see in place of a secret."""
    label = _("［本人だけが使える情報のため表示しません］")
    return PLACEHOLDER_RE.sub(label, text or "")
