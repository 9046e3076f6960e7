"""Descriptions of inputs to fill: what passes and what never does."""

from __future__ import annotations

import json

import pytest
from django import forms

from madoguchi.japanese import autofill


def describe(**overrides: object) -> str:
    data: dict[str, object] = {
        "source": "postal_code",
        "status": "id_postal_code_status",
        "targets": [{"part": "city", "id": "id_city", "name": "city", "attrs": {"maxlength": "50", "required": True}}],
    }
    data.update(overrides)
    return json.dumps(data)


def test_round_trip() -> None:
    target = autofill.FillTarget(part="city", id="id_city", name="city", attrs={"maxlength": "50", "required": True})
    raw = autofill.encode("postal_code", "id_postal_code_status", [target])
    request = autofill.decode(raw, parts=["city"])
    assert request == autofill.FillRequest("postal_code", "id_postal_code_status", (target,))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "[]",
        "x" * 5000,
        describe(source=""),
        describe(source="a b"),
        describe(status="1abc"),
        describe(status='x"y'),
        describe(targets="city"),
        describe(targets=[{"part": "city", "id": "id_city", "name": "city"}] * 9),
        describe(targets=[{"part": "town", "id": "id_town", "name": "town"}]),
        describe(targets=[{"part": "city", "id": "<x>", "name": "city"}]),
        describe(targets=[{"part": "city", "id": "id_city", "name": "c ity"}]),
        describe(targets=[{"part": "city", "id": "id_city", "name": "city", "attrs": []}]),
        describe(targets=["city"]),
    ],
)
def test_refused(raw: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - json and description errors alike
        autofill.decode(raw, parts=["city"])


def test_only_known_attributes_and_plain_values_are_kept() -> None:
    raw = describe(
        targets=[
            {
                "part": "city",
                "id": "id_city",
                "name": "city",
                "attrs": {
                    "required": True,
                    "disabled": True,
                    "spellcheck": False,
                    "onclick": "x()",
                    "class": "a b",
                    "lang": 'ja" onclick="x()',
                    "placeholder": "例：笠間市",
                    "aria-describedby": "id_city_helptext id_city_error",
                },
            }
        ]
    )
    [target] = autofill.decode(raw, parts=["city"]).targets
    assert target.attrs == {
        "required": True,
        "class": "a b",
        "placeholder": "例：笠間市",
        "aria-describedby": "id_city_helptext id_city_error",
    }


def test_render_fill_and_status_escape() -> None:
    target = autofill.FillTarget(part="city", id="id_city", name="city", attrs={})
    assert autofill.render_fill(target, '"><b>') == (
        '<input type="text" name="city" value="&quot;&gt;&lt;b&gt;" id="id_city" hx-swap-oob="true">'
    )
    assert autofill.render_status("s", "<b>") == '<span id="s" hx-swap-oob="innerHTML">&lt;b&gt;</span>'


def test_only_text_inputs_can_be_targets() -> None:
    class Form(forms.Form):
        text = forms.CharField()
        email = forms.EmailField()
        choice = forms.ChoiceField(choices=[("a", "a")])

    form = Form()
    assert autofill.target_for(form["text"], "city") is not None
    assert autofill.target_for(form["email"], "city") is None
    assert autofill.target_for(form["choice"], "city") is None
    assert autofill.target_for(Form(auto_id=False)["text"], "city") is None


def test_field_names() -> None:
    assert autofill.is_field_name("applicant-bank_code")
    assert not autofill.is_field_name("")
    assert not autofill.is_field_name("a b")
