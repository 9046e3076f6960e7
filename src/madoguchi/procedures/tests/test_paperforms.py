"""Paper forms drawn from form definitions: an A4 PDF whose text holds every label,
option and fee line; every demo procedure renders."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest

from madoguchi.core.demo.loader import load_demo
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.procedures import demo, formdef
from madoguchi.procedures.models import Availability, FormVersion, Procedure
from madoguchi.procedures.paperforms import describe_condition, render_paper_form, wrap
from madoguchi.procedures.tests.factories import FormVersionFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

A4_POINTS = (595, 842)


def _text(pdf: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # Extraction breaks lines where the drawing does; the test looks for words.
    return reader, "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def test_a_paper_form_shows_each_step_field_option_and_fee_line() -> None:
    version: FormVersion = FormVersionFactory.create()
    procedure = version.procedure
    pdf = render_paper_form(procedure, version)
    assert pdf.startswith(b"%PDF")
    reader, text = _text(pdf)
    assert tuple(round(v) for v in reader.pages[0].mediabox.upper_right) == A4_POINTS
    assert procedure.name_ja in text
    assert procedure.municipality.name_ja in text
    assert procedure.department.name_ja in text
    definition = formdef.parse(version.definition)
    for step in definition.steps:
        assert step.title["ja"] in text
    for f in definition.fields:
        assert f.label["ja"] in text, f.key
        for option in f.options:
            assert option.label["ja"] in text
    # Required fields are marked, conditions are written out, the fee is there.
    assert "※氏名" in text
    assert "「世帯全員／一部」で「世帯の一部」の場合に記入" in text
    assert "住民票の写し　300円　×「通数」" in text
    assert reader.metadata is not None
    assert reader.metadata.title == f"{procedure.municipality.name_ja} {procedure.name_ja}"


def test_a_form_of_an_older_version_is_drawn_from_that_version() -> None:
    old: FormVersion = FormVersionFactory.create(number=1)
    changed = old.definition | {"steps": [*old.definition["steps"]]}
    changed["steps"][0] = {
        **changed["steps"][0],
        "fields": [
            *changed["steps"][0]["fields"],
            {"key": "phone", "type": "phone", "label": {"ja": "日中の電話番号", "en": "Phone"}},
        ],
    }
    new: FormVersion = FormVersionFactory.create(procedure=old.procedure, number=2, definition=changed)
    assert "日中の電話番号" in _text(render_paper_form(old.procedure, new))[1]
    assert "日中の電話番号" not in _text(render_paper_form(old.procedure, old))[1]
    # Without a version: the one residents see now.
    assert "日中の電話番号" in _text(render_paper_form(old.procedure))[1]


def test_a_procedure_without_a_published_form_still_gets_a_page() -> None:
    procedure: Procedure = ProcedureFactory.create()
    _reader, text = _text(render_paper_form(procedure, None))
    assert procedure.name_ja in text
    assert "様式はまだ公開されていません" in text


def test_conditions_read_as_sentences() -> None:
    definition = formdef.parse(
        demo.definition_of(next(p for p in demo.demo_data().procedures if p["slug"] == "jumin-hyo"))
    )
    assert describe_condition({"field": "send_to", "equals": "other"}, definition) == "「送付先」で「その他の住所」の"
    both = describe_condition({"field": "relationship", "in": ["household", "other"]}, definition)
    assert both == "「必要な方と請求者の関係」で「同一世帯の方」か「その他（代理人など）」の"
    assert describe_condition({"field": "items", "contains": "honseki"}, definition).endswith("を選んだ")


def test_long_text_wraps_within_the_width() -> None:
    lines = wrap("住民票の写し" * 40, "HeiseiKakuGo-W5", 9, 200)
    assert len(lines) > 1
    assert "".join(lines) == "住民票の写し" * 40
    sentence = "A copy of the residence record for every member of the household"
    english = wrap(sentence, "HeiseiKakuGo-W5", 9, 120)
    assert all(not line.startswith(" ") for line in english)
    # Broken between words only.
    assert " ".join(english) == sentence


def test_every_demo_procedure_renders(tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(token_path=tmp_path / "tokens.json")
    kasama = Municipality.objects.get(code=demo.KASAMA_CODE)
    with municipality_scope(kasama):
        procedures = list(Procedure.objects.select_related("department", "municipality"))
        assert len(procedures) >= 27
        for procedure in procedures:
            version = procedure.current_version()
            _reader, text = _text(render_paper_form(procedure, version))
            assert procedure.name_ja.replace("\n", "") in text, procedure.slug
            for f in formdef.parse(version.definition).fields:
                assert f.label["ja"] in text, (procedure.slug, f.key)
            if procedure.availability == Availability.PAPER_ONLY:
                assert "オンラインでは受け付けていません" in text
