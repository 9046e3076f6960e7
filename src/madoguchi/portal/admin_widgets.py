"""Wagtail's chooser widgets under the Content-Security-Policy.

Every chooser widget of a form field (the page's listing/SNS image, a document, a page or
a snippet chosen in a FieldPanel) ends its HTML with an inline
``<script>new ImageChooser("id", {...})</script>`` (`wagtail.admin.widgets.BaseChooser.render`).
The staff console's policy forbids inline scripts (core/csp.py), so the chooser never
started: its 「画像を選択」 button did nothing. `install()` makes those widgets load
`portal/chooser-init.js` with the same constructor, id and options in data attributes
instead — the way madoguchi's copies of Wagtail's date widget templates load
`madoguchi/staff-init.js`. Choosers inside StreamFields are started by telepath (no inline
script) and are not affected.
"""

from __future__ import annotations

import json
from typing import Any

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.admin.widgets.chooser import BaseChooser

_original_render = BaseChooser.render


def _render_without_inline_script(
    self: BaseChooser, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
) -> SafeString:
    # A widget with its own initialiser (e.g. the workflow task chooser) keeps Wagtail's.
    if type(self).render_js_init is not BaseChooser.render_js_init:
        return _original_render(self, name, value, attrs, renderer)  # type: ignore[no-any-return]
    try:
        id_ = attrs["id"]  # type: ignore[index]
    except (KeyError, TypeError) as e:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from e
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    options = self.get_js_init_options(id_, name, value_data)
    script = format_html(
        '<script src="{}" data-init="{}" data-id="{}" data-options="{}"></script>',
        static("portal/chooser-init.js"),
        self.js_constructor,
        id_,
        json.dumps(options),
    )
    return mark_safe(f"{widget_html}{script}")  # noqa: S308 - widget_html is Wagtail's rendered template


def install() -> None:
    """Replace BaseChooser.render (once; from portal.wagtail_hooks)."""
    BaseChooser.render = _render_without_inline_script  # type: ignore[method-assign,assignment]
