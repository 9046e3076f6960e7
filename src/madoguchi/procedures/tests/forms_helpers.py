"""Helpers of the forms part's tests: the editor's POST data for a definition, as the
structured editor (Wagtail blocks) sends it."""

from __future__ import annotations

from typing import Any

from wagtail import blocks

from madoguchi.procedures.staff import editor_blocks


def block_form_data(block: blocks.Block, value: Any, prefix: str) -> list[tuple[str, str]]:
    """The form data of a block value (raw JSON form), as Wagtail's block widgets post it."""
    out: list[tuple[str, str]] = []
    if isinstance(block, blocks.StreamBlock):
        items = list(value or [])
        out.append((f"{prefix}-count", str(len(items))))
        for i, child in enumerate(items):
            kind = child["type"]
            out += [(f"{prefix}-{i}-type", kind), (f"{prefix}-{i}-deleted", ""), (f"{prefix}-{i}-order", str(i))]
            out.append((f"{prefix}-{i}-id", ""))
            out += block_form_data(block.child_blocks[kind], child["value"], f"{prefix}-{i}-value")
    elif isinstance(block, blocks.ListBlock):
        items = list(value or [])
        out.append((f"{prefix}-count", str(len(items))))
        for i, item in enumerate(items):
            out += [(f"{prefix}-{i}-deleted", ""), (f"{prefix}-{i}-order", str(i)), (f"{prefix}-{i}-id", "")]
            out += block_form_data(block.child_block, item, f"{prefix}-{i}-value")
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            out += block_form_data(child, (value or {}).get(name), f"{prefix}-{name}")
    elif isinstance(block, blocks.BooleanBlock):
        if value:
            out.append((prefix, "on"))
    elif isinstance(block, blocks.MultipleChoiceBlock):
        out += [(prefix, str(v)) for v in value or []]
    else:
        out.append((prefix, "" if value is None else str(value)))
    return out


def editor_data(definition: dict[str, Any], *, action: str = "save", change_note: str = "") -> dict[str, Any]:
    """The editor form's POST data (a dict of lists for the test client) for a definition."""
    steps, fee = editor_blocks.definition_to_blocks(definition)
    pairs = block_form_data(editor_blocks.steps_block(), steps, "steps")
    pairs += block_form_data(editor_blocks.fee_block(), fee, "fee")
    applicant = definition.get("applicant") or {}
    pairs += [
        ("name_field", applicant.get("name_field", "")),
        ("email_field", applicant.get("email_field", "")),
        ("change_note", change_note),
        ("action", action),
    ]
    data: dict[str, Any] = {}
    for key, val in pairs:
        data.setdefault(key, []).append(val)
    return data
