"""A form definition as JSON Schema (2020-12): valid data validates, invalid data does
not, conditions included."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from madoguchi.procedures import formdef
from madoguchi.procedures.jsonschema import to_json_schema

from .factories import sample_data, sample_definition


@pytest.fixture
def schema() -> dict[str, Any]:
    return to_json_schema(formdef.parse(sample_definition()), language="ja", title="住民票の写し交付請求")


def errors(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return [e.message for e in validator.iter_errors(data)]


def test_the_schema_is_valid_2020_12(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "住民票の写し交付請求"
    assert schema["required"] == ["name", "name_kana", "email", "address", "scope", "copies", "agree"]
    assert schema["properties"]["copies"] == {
        "title": "通数",
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
        "x-type": "integer",
    }
    assert schema["properties"]["scope"]["enum"] == ["all", "part"]
    assert schema["properties"]["birth_date"]["format"] == "date"
    assert schema["properties"]["email"]["format"] == "email"
    assert [s["key"] for s in schema["x-steps"]] == ["requester", "request"]
    assert schema["x-steps"][1]["fields"] == ["scope", "members", "copies", "id_document", "agree"]
    assert schema["x-fee"] == [{"label": "住民票の写し", "amount": 300, "quantity_field": "copies"}]


def test_valid_data_validates(schema: dict[str, Any]) -> None:
    assert errors(schema, sample_data()) == []
    assert errors(schema, sample_data(scope="part", members="笠間 一郎")) == []
    with_file = sample_data(id_document=[{"attachment": 3, "name": "id.pdf", "sha256": "a" * 64, "size": 1200}])
    assert errors(schema, with_file) == []


@pytest.mark.parametrize(
    "data",
    [
        sample_data(copies=11),
        sample_data(copies="2"),
        sample_data(scope="some"),
        sample_data(email="not an address"),
        sample_data(postal_code="3091"),
        sample_data(birth_date="昭和60年4月1日"),
        sample_data(agree=False),
        sample_data(name_kana="かさま"),
        sample_data(unknown="x"),
        {k: v for k, v in sample_data().items() if k != "name"},
        # The condition: members is required when scope is part …
        sample_data(scope="part"),
        # … and must be absent when it is not shown.
        sample_data(scope="all", members="笠間 一郎"),
        sample_data(id_document=[{"name": "id.pdf"}]),
    ],
)
def test_invalid_data_does_not(schema: dict[str, Any], data: dict[str, Any]) -> None:
    assert errors(schema, data)


def test_titles_in_english_and_every_operator() -> None:
    raw = sample_definition()
    raw["steps"][1]["fields"].append(
        {
            "key": "kinds",
            "type": "multichoice",
            "label": {"ja": "種類", "en": "Kinds"},
            "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
        }
    )
    raw["steps"][1]["fields"].append(
        {
            "key": "note",
            "type": "text",
            "label": {"ja": "備考", "en": "Note"},
            "max_length": 20,
            "show_if": {
                "any": [
                    {"field": "kinds", "contains": "b"},
                    {"field": "copies", "in": [5, 6]},
                    {"not": {"field": "scope", "not_equals": "part"}},
                ]
            },
            "required_if": {"field": "members", "filled": True},
        }
    )
    schema = to_json_schema(formdef.parse(raw), language="en")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["copies"]["title"] == "Copies"
    assert schema["properties"]["kinds"]["items"] == {"enum": ["a", "b"]}
    assert errors(schema, sample_data(kinds=["b"], note="x")) == []
    assert errors(schema, sample_data(copies=5, note="x")) == []
    assert errors(schema, sample_data(kinds=["a"], note="x"))  # not shown: no value
    assert errors(schema, sample_data(kinds=["b"], note="x" * 21))  # too long
    assert errors(schema, sample_data(kinds=["c"]))
    # Shown (scope is part) and required because members is filled.
    assert errors(schema, sample_data(scope="part", members="笠間 一郎"))
    assert errors(schema, sample_data(scope="part", members="笠間 一郎", note="x")) == []
