"""A form definition as JSON Schema (draft 2020-12), for the API: what another system
must send for a procedure, in the stored format of `procedures.formdef`.

Fields become `properties` (types, formats, enums, limits, titles and descriptions in
the language asked for), `required` lists the fields required without condition, and
`show_if` / `required_if` become `if`/`then` rules in `allOf`: a field shown only when
a condition holds must be absent otherwise, and a field required under a condition is
required when it holds. `x-steps` gives the steps in order with their fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import formdef
from .formdef import Field, FormDefinition

DIALECT = "https://json-schema.org/draft/2020-12/schema"
POSTAL_CODE = r"^[0-9]{3}-?[0-9]{4}$"
FILE_ITEM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "attachment": {"type": "integer"},
        "name": {"type": "string"},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "integer", "minimum": 0},
    },
    "required": ["attachment", "name"],
}


def _text(value: Any, language: str) -> str:
    return formdef.localized(value, language)


def field_schema(f: Field, language: str) -> dict[str, Any]:
    """The schema of one field's stored value."""
    schema: dict[str, Any] = {"title": _text(f.label, language)}
    if f.help:
        schema["description"] = _text(f.help, language)
    if f.type in formdef.TEXT_TYPES:
        schema["type"] = "string"
        if f.max_length:
            schema["maxLength"] = f.max_length
        if f.type == "email":
            schema["format"] = "email"
        elif f.type == "postal_code":
            schema["pattern"] = POSTAL_CODE
        elif f.type == "kana":
            # Katakana, the long vowel mark and spaces (what KatakanaField stores).
            schema["pattern"] = "^[\u30a0-\u30ff\u3000 ]*$"
    elif f.type == "date":
        schema.update(type="string", format="date")
    elif f.type == "integer":
        schema["type"] = "integer"
        if f.min is not None:
            schema["minimum"] = f.min
        if f.max is not None:
            schema["maximum"] = f.max
    elif f.type in ("choice", "select"):
        schema.update(type="string", enum=[o.value for o in f.options])
        schema["x-options"] = [{"value": o.value, "label": _text(o.label, language)} for o in f.options]
    elif f.type == "multichoice":
        schema.update(type="array", uniqueItems=True, items={"enum": [o.value for o in f.options]})
        schema["x-options"] = [{"value": o.value, "label": _text(o.label, language)} for o in f.options]
    elif f.type == "boolean":
        schema["type"] = "boolean"
        if f.required:
            schema["const"] = True  # a required check box must be ticked
    elif f.type == "file":
        schema.update(type="array", items=FILE_ITEM)
        schema["x-accept"] = [formdef.FILE_KINDS[a] for a in f.accept if a in formdef.FILE_KINDS]
        schema["x-max-size-mb"] = f.max_size_mb
    schema["x-type"] = f.type
    if f.shared:
        schema["x-shared"] = f.shared
    return schema


def condition_schema(condition: Any, definition: FormDefinition) -> dict[str, Any]:
    """A condition of formdef as a schema that the submitted data matches when the
    condition holds (a missing value is treated as formdef treats it: not equal, not
    filled)."""
    if not isinstance(condition, Mapping):
        return {}
    if "all" in condition:
        return {"allOf": [condition_schema(c, definition) for c in condition["all"]]}
    if "any" in condition:
        return {"anyOf": [condition_schema(c, definition) for c in condition["any"]]}
    if "not" in condition:
        return {"not": condition_schema(condition["not"], definition)}
    key = str(condition.get("field", ""))
    kind = definition.field(key).type if definition.has_field(key) else "text"

    def typed(value: Any) -> Any:
        # Conditions compare as text; the schema needs the stored type.
        if kind == "integer":
            try:
                return int(value)
            except (TypeError, ValueError):
                return value
        if kind == "boolean":
            return str(value).lower() == "true" if not isinstance(value, bool) else value
        return value

    if "equals" in condition:
        return {"required": [key], "properties": {key: {"const": typed(condition["equals"])}}}
    if "not_equals" in condition:
        return {"not": {"required": [key], "properties": {key: {"const": typed(condition["not_equals"])}}}}
    if "in" in condition:
        return {"required": [key], "properties": {key: {"enum": [typed(v) for v in condition["in"]]}}}
    if "contains" in condition:
        return {
            "required": [key],
            "properties": {key: {"type": "array", "contains": {"const": typed(condition["contains"])}}},
        }
    if "filled" in condition:
        filled = {"required": [key], "properties": {key: {"not": {"enum": [None, "", [], False]}}}}
        return filled if condition["filled"] else {"not": filled}
    return {}


def to_json_schema(
    definition: FormDefinition, *, language: str = "ja", title: str = "", id: str = ""
) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the data of a form definition."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    rules: list[dict[str, Any]] = []
    steps = []
    for step in definition.steps:
        steps.append(
            {
                "key": step.key,
                "title": _text(step.title, language),
                "fields": [f.key for f in step.fields if f.takes_input],
                **({"x-show-if": step.show_if} if step.show_if is not None else {}),
            }
        )
        for f in step.fields:
            if not f.takes_input:
                continue
            properties[f.key] = field_schema(f, language)
            show_if = f.show_if
            if step.show_if is not None:
                show_if = {"all": [step.show_if, f.show_if]} if f.show_if is not None else step.show_if
            if show_if is None and f.required:
                required.append(f.key)
            if show_if is not None:
                # Not shown: no value. Shown and required: a value.
                rules.append(
                    {"if": {"not": condition_schema(show_if, definition)}, "then": {"not": {"required": [f.key]}}}
                )
                if f.required:
                    rules.append({"if": condition_schema(show_if, definition), "then": {"required": [f.key]}})
            if f.required_if is not None:
                condition = f.required_if if show_if is None else {"all": [show_if, f.required_if]}
                rules.append({"if": condition_schema(condition, definition), "then": {"required": [f.key]}})
    schema: dict[str, Any] = {"$schema": DIALECT}
    if id:
        schema["$id"] = id
    if title:
        schema["title"] = title
    schema.update(type="object", properties=properties, additionalProperties=False)
    if required:
        schema["required"] = required
    if rules:
        schema["allOf"] = rules
    schema["x-steps"] = steps
    if definition.fee_lines:
        schema["x-fee"] = [
            {
                "label": _text(line.label, language),
                "amount": line.amount,
                **({"quantity_field": line.quantity_field} if line.quantity_field else {}),
                **({"when": line.when} if line.when is not None else {}),
            }
            for line in definition.fee_lines
        ]
    return schema
