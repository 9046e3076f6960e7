"""The procedures demo's data files: every form parses, the catalog is as large and as
spread as the plan asks, and life events point at questions, procedures and shared
keys that exist. No database."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.core.demo import demo_data as core_demo_data
from madoguchi.procedures import demo, formdef
from madoguchi.procedures.models import Availability, FeeTiming, IdentityLevel, RetentionAction

DATA = demo.demo_data()
PROCEDURES = {p["slug"]: p for p in DATA.procedures}


def _kasama_departments() -> set[str]:
    kasama = next(m for m in core_demo_data().municipalities if m.code == DATA.municipality)
    return {d.code for d in kasama.departments}


def test_there_are_at_least_27_procedures_with_unique_slugs_and_codes() -> None:
    assert len(DATA.procedures) >= 27
    assert len(PROCEDURES) == len(DATA.procedures)
    codes = [p["code"] for p in DATA.procedures]
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("slug", sorted(PROCEDURES))
def test_every_form_definition_parses_and_is_complete(slug: str) -> None:
    entry = PROCEDURES[slug]
    definition = formdef.parse(demo.definition_of(entry))
    for f in definition.fields:
        # English labels for every field, help and option.
        assert f.label.get("en"), f"{slug}.{f.key}: no English label"
        if f.help:
            assert f.help.get("en"), f"{slug}.{f.key}: no English help"
        for option in f.options:
            assert option.label.get("en"), f"{slug}.{f.key}={option.value}: no English label"
    for step in definition.steps:
        assert step.title.get("en"), f"{slug}.{step.key}: no English title"
    for key in ("name_ja", "name_en", "reading", "summary_ja", "summary_en", "eligibility_ja", "eligibility_en"):
        assert entry.get(key), f"{slug}: no {key}"
    # The reading is in hiragana (kana search), with no kanji or katakana.
    assert all("\u3041" <= c <= "\u309f" or c == "ー" for c in entry["reading"]), entry["reading"]
    assert entry["identity_level"] in IdentityLevel.values
    assert entry.get("availability", Availability.ONLINE) in Availability.values
    assert entry["fee_timing"] in FeeTiming.values
    assert entry.get("retention_action", RetentionAction.DELETE) in RetentionAction.values
    # A procedure with fee lines says when the fee is due, and one without says there is none.
    if entry.get("availability") != Availability.PAPER_ONLY:
        assert bool(definition.fee_lines) == (entry["fee_timing"] != FeeTiming.NONE), slug
    if entry["fee_timing"] != FeeTiming.NONE:
        assert definition.name_field
        assert definition.email_field


def test_the_flagship_resident_record_form_has_the_fields_of_the_paper_form() -> None:
    entry = PROCEDURES["jumin-hyo"]
    assert entry["identity_level"] == IdentityLevel.SIGNATURE
    assert entry["fee_timing"] == FeeTiming.ON_SUBMISSION
    definition = formdef.parse(demo.definition_of(entry))
    keys = {f.key for f in definition.fields}
    assert {
        "name",
        "name_kana",
        "address",
        "birth_date",
        "phone",
        "email",
        "relationship",
        "relation_detail",
        "scope",
        "members",
        "items",
        "my_number",
        "copies",
        "purpose",
        "purpose_other",
        "send_to",
        "send_address",
        "id_document",
    } <= keys
    data: dict[str, Any] = {"record_kind": "current", "scope": "part", "copies": 3, "purpose": "other"}
    assert definition.fee(data).total == 900
    assert definition.is_required(definition.field("members"), data)
    assert definition.is_required(definition.field("purpose_other"), data)
    assert not definition.is_visible(definition.field("send_address"), {"send_to": "registered"})
    items = {o.value for o in definition.field("items").options}
    assert items == {"honseki", "zokugara", "setainushi"}


def test_family_register_fees_are_450_and_750_yen() -> None:
    definition = formdef.parse(demo.definition_of(PROCEDURES["koseki"]))
    fee = definition.fee({"full_copies": 2, "closed_copies": 1, "original_copies": 0})
    assert [(i.unit_amount, i.quantity) for i in fee.items] == [(450, 2), (750, 1)]
    assert fee.total == 1650


def test_identity_levels_span_none_to_signature_and_paper_only_procedures_exist() -> None:
    levels = {p["identity_level"] for p in DATA.procedures}
    assert levels == set(IdentityLevel.values)
    paper = {p["slug"] for p in DATA.procedures if p.get("availability") == Availability.PAPER_ONLY}
    assert {"shussei", "konin", "shibo", "inkan-shomei"} <= paper
    timings = {p["fee_timing"] for p in DATA.procedures}
    assert timings == set(FeeTiming.values)


def test_every_department_exists_in_the_demo_or_is_added_under_an_existing_parent() -> None:
    known = _kasama_departments()
    extra = {d["code"]: d for d in DATA.departments}
    for code, item in extra.items():
        assert code not in known, f"{code} is in municipalities.toml now: remove it from catalog.toml"
        assert item["parent"] in known
    used = {p["department"] for p in DATA.procedures}
    assert used <= known | set(extra)
    # The plan's departments are all there.
    assert {"shimin", "zeimu", "kodomo-fukushi", "kenko-zoshin", "korei-fukushi", "kankyo-hozen"} <= used
    assert len(used) >= 10


def test_every_procedure_has_a_category_of_the_catalog() -> None:
    categories = {c["slug"] for c in DATA.categories}
    assert {p["category"] for p in DATA.procedures} == categories


def _condition_keys(condition: Any) -> set[str]:
    return formdef.condition_fields(condition)


@pytest.mark.parametrize("event", DATA.life_events, ids=lambda e: e["slug"])
def test_life_events_name_existing_questions_procedures_and_shared_keys(event: dict[str, Any]) -> None:
    questions = formdef.parse(demo.questions_definition(event["questions"]))
    shared = formdef.parse(demo.questions_definition(event["shared_fields"]))
    question_keys = {f.key for f in questions.fields}
    for link in event["procedures"]:
        assert link["slug"] in PROCEDURES, link["slug"]
        assert _condition_keys(link.get("when")) <= question_keys, link
    used_keys = {f.shared for p in DATA.procedures for f in formdef.parse(demo.definition_of(p)).fields if f.shared}
    for f in shared.fields:
        assert f.shared, f"{event['slug']}.{f.key} has no shared key"
        assert f.shared in used_keys, f"{event['slug']}: no procedure uses {f.shared}"
    # Each shared key the event asks for fills at least one of its own procedures.
    own = {
        f.shared
        for link in event["procedures"]
        for f in formdef.parse(demo.definition_of(PROCEDURES[link["slug"]])).fields
        if f.shared
    }
    assert {f.shared for f in shared.fields} & own


def test_the_six_life_events_of_the_plan() -> None:
    assert {e["slug"] for e in DATA.life_events} == {"hikkoshi", "shussei", "kekkon", "shibo", "kosodate", "kaigo"}


def test_a_life_event_condition_picks_the_procedures_that_apply() -> None:
    moving = next(e for e in DATA.life_events if e["slug"] == "hikkoshi")
    answers = {"move_type": "into", "has_children": "yes", "has_dog": "no"}
    applies = [link["slug"] for link in moving["procedures"] if formdef.evaluate(link.get("when"), answers)]
    assert "tennyu" in applies
    assert "jido-teate" in applies
    assert "tenshutsu" not in applies
    assert "inu-toroku" not in applies


def test_demo_submissions_fill_the_required_fields_of_their_forms() -> None:
    for entry in demo.SUBMISSIONS:
        definition = formdef.parse(demo.definition_of(PROCEDURES[entry.procedure]))
        # The applicant's details are given to every form; clean_data drops those a form lacks.
        unknown = set(entry.data) - {f.key for f in definition.input_fields()} - set(demo.HANAKO_APPLICANT)
        assert not unknown, (entry.key, unknown)
        if entry.draft:
            continue
        missing = {f.key for f in definition.missing_required(entry.data)}
        # Attachments are not part of the demo data (no files are made).
        missing -= {f.key for f in definition.fields if f.type == "file"}
        assert not missing, (entry.key, missing)
