"""The form definition format (formdef): parsing and its problems, conditions, the
computed fee and the display of stored values."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.procedures import formdef

from .factories import sample_data, sample_definition


def problems(definition: Any) -> list[tuple[str, str]]:
    with pytest.raises(formdef.FormDefinitionError) as error:
        formdef.parse(definition)
    return error.value.problems


def test_the_sample_parses() -> None:
    definition = formdef.parse(sample_definition())
    assert [s.key for s in definition.steps] == ["requester", "request"]
    assert definition.field("copies").min == 1
    assert definition.name_field == "name"
    assert definition.shared_keys() == {"name": "applicant.name", "name_kana": "applicant.name_kana"}


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (lambda d: d["steps"][0]["fields"][0].update(key="1name"), "steps[0].fields[0].key", "英字から始めて"),
        (lambda d: d["steps"][0]["fields"][1].update(key="name"), "steps[0].fields[1].key", "重複"),
        (lambda d: d["steps"][0]["fields"][0].update(type="colour"), "steps[0].fields[0].type", "colour"),
        (lambda d: d["steps"][0]["fields"][0].update(label={"en": "Name"}), "steps[0].fields[0].label", "日本語"),
        (lambda d: d["steps"][1]["fields"][0].update(options=[]), "steps[1].fields[0].options", "選択肢を1つ以上"),
        (
            lambda d: d["steps"][1]["fields"][0]["options"].append({"value": "all", "label": "x"}),
            "steps[1].fields[0].options[2]",
            "重複",
        ),
        (lambda d: d["steps"][1]["fields"][2].update(min=5, max=2), "steps[1].fields[2].max", "最小値以上"),
        (lambda d: d["steps"][1]["fields"][2].update(min="1"), "steps[1].fields[2].min", "整数"),
        (lambda d: d["steps"][1]["fields"][3].update(accept=["exe"]), "steps[1].fields[3].accept", "exe"),
        (lambda d: d["steps"][1]["fields"][3].update(max_size_mb=50), "steps[1].fields[3].max_size_mb", "20MB"),
        (
            lambda d: d["steps"][0]["fields"][3].update(address_field="nowhere"),
            "steps[0].fields[3].address_field",
            "nowhere",
        ),
        # A condition may not name a field that comes later.
        (
            lambda d: d["steps"][0]["fields"][0].update(show_if={"field": "scope", "equals": "all"}),
            "steps[0].fields[0].show_if",
            "scope",
        ),
        (
            lambda d: d["steps"][1]["fields"][1].update(show_if={"field": "scope"}),
            "steps[1].fields[1].show_if",
            "比べ方",
        ),
        (lambda d: d["steps"][1]["fields"][1].update(show_if={"all": []}), "steps[1].fields[1].show_if", "1つ以上"),
        (lambda d: d["steps"][1]["fields"][1].update(required_if="yes"), "steps[1].fields[1].required_if", "形式"),
        (lambda d: d["fee"]["lines"][0].update(amount=-300), "fee.lines[0].amount", "0以上"),
        (lambda d: d["fee"]["lines"][0].update(amount=True), "fee.lines[0].amount", "0以上"),
        (lambda d: d["fee"]["lines"][0].update(quantity_field="count"), "fee.lines[0].quantity_field", "count"),
        (lambda d: d["applicant"].update(email_field="mail"), "applicant.email_field", "mail"),
        (lambda d: d["steps"][1].update(key="requester"), "steps[1].key", "重複"),
    ],
)
def test_each_problem_is_found_with_its_place(change: Any, path: str, fragment: str) -> None:
    definition = sample_definition()
    change(definition)
    found = problems(definition)
    assert any(p == path and fragment in message for p, message in found), found


def test_every_problem_is_listed_at_once() -> None:
    definition = sample_definition()
    definition["steps"][0]["fields"][0]["label"] = ""
    definition["fee"]["lines"][0]["amount"] = "300"
    assert [p for p, _ in problems(definition)] == ["steps[0].fields[0].label", "fee.lines[0].amount"]


@pytest.mark.parametrize("definition", [[], {"steps": []}, {"steps": "x"}, {"steps": [1]}])
def test_shapes_that_are_not_definitions(definition: Any) -> None:
    assert problems(definition)


@pytest.mark.parametrize(
    ("condition", "data", "expected"),
    [
        ({"field": "scope", "equals": "part"}, {"scope": "part"}, True),
        ({"field": "scope", "equals": "part"}, {}, False),
        ({"field": "scope", "not_equals": "part"}, {}, True),
        ({"field": "copies", "equals": "2"}, {"copies": 2}, True),  # typed "2" and stored 2
        ({"field": "agree", "equals": True}, {"agree": True}, True),
        ({"field": "agree", "equals": "true"}, {"agree": True}, True),
        ({"field": "agree", "equals": True}, {"agree": False}, False),
        ({"field": "scope", "in": ["all", "part"]}, {"scope": "all"}, True),
        ({"field": "scope", "in": []}, {"scope": "all"}, False),
        ({"field": "kinds", "contains": "b"}, {"kinds": ["a", "b"]}, True),
        ({"field": "kinds", "contains": "b"}, {"kinds": "b"}, False),  # not a list
        ({"field": "members", "filled": True}, {"members": ""}, False),
        ({"field": "members", "filled": False}, {"members": []}, True),
        ({"field": "agree", "filled": True}, {"agree": False}, False),  # an unticked box is empty
        ({"all": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]}, {"a": 1, "b": 2}, True),
        ({"all": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]}, {"a": 1}, False),
        ({"any": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]}, {"b": 2}, True),
        ({"not": {"field": "a", "equals": 1}}, {"a": 1}, False),
        (None, {}, True),
    ],
)
def test_conditions(condition: Any, data: dict[str, Any], expected: bool) -> None:
    assert formdef.evaluate(condition, data) is expected


def test_a_malformed_condition_is_an_error_not_a_guess() -> None:
    with pytest.raises(formdef.FormDefinitionError):
        formdef.evaluate({"field": "a"}, {"a": 1})
    with pytest.raises(formdef.FormDefinitionError):
        formdef.evaluate(["field"], {})


def test_required_and_visible_follow_the_conditions() -> None:
    definition = formdef.parse(sample_definition())
    members = definition.field("members")
    assert not definition.is_visible(members, sample_data(scope="all"))
    assert not definition.is_required(members, sample_data(scope="all"))
    assert definition.is_required(members, sample_data(scope="part"))
    assert [f.key for f in definition.missing_required(sample_data(scope="part"))] == ["members"]
    assert definition.missing_required(sample_data()) == []
    # An answer to a question that no longer applies is not kept.
    assert "members" not in definition.clean_data(sample_data(scope="all", members="笠間 一郎"))


def test_a_hidden_step_hides_its_fields() -> None:
    raw = sample_definition()
    raw["steps"][1]["show_if"] = {"field": "name", "filled": True}
    definition = formdef.parse(raw)
    assert [s.key for s in definition.visible_steps({})] == ["requester"]
    assert not definition.is_required(definition.field("copies"), {})
    assert definition.is_required(definition.field("copies"), {"name": "笠間 花子"})


def test_fee_edge_cases() -> None:
    raw = sample_definition()
    raw["fee"]["lines"].append(
        {"label": {"ja": "郵送料", "en": "Postage"}, "amount": 140, "when": {"field": "scope", "equals": "part"}}
    )
    definition = formdef.parse(raw)
    fee = definition.fee(sample_data(copies=3))
    assert [(i.label, i.unit_amount, i.quantity, i.amount) for i in fee.items] == [("住民票の写し", 300, 3, 900)]
    assert fee.total == 900
    assert definition.fee(sample_data(copies=2, scope="part")).total == 740
    # No quantity, a quantity that is not a number, or zero: no line at all.
    assert definition.fee(sample_data(copies=None)).items == ()
    assert definition.fee(sample_data(copies="many")).total == 0
    assert definition.fee(sample_data(copies=0)).total == 0
    # A free procedure.
    raw.pop("fee")
    assert formdef.parse(raw).fee(sample_data()).total == 0


def test_display_and_summary_in_both_languages() -> None:
    from django.utils import translation

    definition = formdef.parse(sample_definition())
    data = sample_data()
    assert definition.field("scope").display("all") == "世帯全員"
    assert definition.field("birth_date").display("1985-04-01") == "昭和60年4月1日"
    assert definition.field("birth_date").display("not a date") == "not a date"
    assert definition.field("agree").display(True) == "はい"
    assert definition.field("id_document").display([{"name": "a.pdf"}, {"name": "b.png"}]) == "a.pdf、b.png"
    rows = formdef.summarize(definition, data)
    assert [step.key for step, _ in rows] == ["requester", "request"]
    assert ("通数", "2") in [(f.text, value) for f, value in rows[1][1]]
    with translation.override("en"):
        assert definition.field("scope").display("all") == "Whole household"
        assert formdef.localized({"ja": "氏名"}) == "氏名"  # no English: Japanese
