"""The procedures demo loaded through core's `load_demo`: what it creates, that a second
run changes nothing, and that a changed definition becomes a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.audit.models import AuditEntry
from madoguchi.core.demo.loader import DemoLoader, LoadReport, load_demo
from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments.models import InvoiceStatus
from madoguchi.procedures import demo
from madoguchi.procedures.models import (
    CorrectionRequest,
    FormVersion,
    LifeEvent,
    LifeEventProcedure,
    Procedure,
    ProcedureCategory,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from madoguchi.procedures.services import fees

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Procedure.unscoped.count(),
        FormVersion.unscoped.count(),
        ProcedureCategory.unscoped.count(),
        LifeEvent.unscoped.count(),
        LifeEventProcedure.unscoped.count(),
        Submission.unscoped.count(),
        SubmissionEvent.unscoped.count(),
        Department.unscoped.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def load(tmp_path: Path, django_capture_on_commit_callbacks: Any) -> Any:
    def run() -> LoadReport:
        with django_capture_on_commit_callbacks(execute=True):
            return load_demo(token_path=tmp_path / "tokens.json")

    return run


def test_the_demo_creates_the_catalog_and_loads_twice_alike(load: Any) -> None:
    data = demo.demo_data()
    first = load()
    assert first.created["procedure"] == len(data.procedures) >= 27
    assert first.created["form_version"] == len(data.procedures)
    assert first.created["life_event"] == 6
    assert first.created["submission"] == len(demo.SUBMISSIONS)
    kasama = Municipality.objects.get(code=demo.KASAMA_CODE)
    with municipality_scope(kasama):
        flagship = Procedure.objects.get(slug="jumin-hyo")
        assert flagship.department.code == "shimin"
        assert flagship.requires_signature
        assert flagship.current_version().number == 1
        assert Department.objects.filter(code__in=["kenko-zoshin", "kankyo-hozen"]).count() == 2
        assert LifeEventProcedure.objects.filter(life_event__slug="hikkoshi", procedure__slug="tenshutsu").exists()
    counts = _counts()
    second = load()
    assert second.created["procedure"] == 0
    assert second.created["form_version"] == 0
    assert second.created["submission"] == 0
    assert second.unchanged["procedure"] == len(data.procedures)
    assert _counts() == counts


def test_the_inbox_has_submissions_in_several_states_one_overdue(load: Any) -> None:
    load()
    kasama = Municipality.objects.get(code=demo.KASAMA_CODE)
    today = timezone.localdate()
    with municipality_scope(kasama):
        sent = Submission.objects.exclude(status=SubmissionStatus.DRAFT)
        numbers = sorted(sent.values_list("number", flat=True))
        assert len(numbers) == len(set(numbers)) == len(demo.SUBMISSIONS) - 1
        year = today.year
        assert numbers == [f"{year}-{n:06d}" for n in range(1, len(numbers) + 1)]
        statuses = set(sent.values_list("status", flat=True))
        assert {
            SubmissionStatus.RECEIVED,
            SubmissionStatus.IN_REVIEW,
            SubmissionStatus.CORRECTION_REQUESTED,
            SubmissionStatus.COMPLETED,
        } <= statuses
        overdue = sent.filter(due_on__lt=today, status__in=["received", "in_review", "correction_requested"])
        assert overdue.count() == 1
        assert overdue.get().procedure.slug == "koseki"
        assert Submission.objects.filter(status=SubmissionStatus.DRAFT, applicant__email=demo.HANAKO).count() == 1
        correcting = sent.get(status=SubmissionStatus.CORRECTION_REQUESTED)
        assert CorrectionRequest.objects.get(submission=correcting).status == "open"
        assert correcting.events.filter(to_status=SubmissionStatus.CORRECTION_REQUESTED).get().reason
        flagship = sent.get(procedure__slug="jumin-hyo")
        assert flagship.fee_amount == 600
        assert flagship.applicant is not None
        assert flagship.applicant.email == demo.HANAKO
        assert sent.filter(applicant__email=demo.EMILY).count() == 2
        # Fees through payments: the flagship's is owed, the certificates in review are
        # paid, the bulky waste collection was billed on approval and paid before 完了.
        owed = fees.invoice_for(flagship)
        assert owed is not None
        assert owed.status == InvoiceStatus.UNPAID
        assert not fees.is_settled(flagship)
        for slug in ("zei-shomei", "koseki", "sodai-gomi"):
            paid = sent.get(procedure__slug=slug)
            invoice = fees.invoice_for(paid)
            assert invoice is not None, slug
            assert invoice.status == InvoiceStatus.PAID, slug
            assert paid.fee_paid_at is not None, slug
        assert fees.invoice_for(sent.get(procedure__slug="gan-kenshin")) is None


def test_a_changed_definition_becomes_a_new_published_version(load: Any) -> None:
    load()
    kasama = Municipality.objects.get(code=demo.KASAMA_CODE)
    with municipality_scope(kasama):
        procedure = Procedure.objects.get(slug="inu-shibo")
        old = procedure.current_version()
        old_definition = old.definition
        entry = next(p for p in demo.demo_data().procedures if p["slug"] == "inu-shibo")
        changed = {**entry, "steps": [*entry["steps"]]}
        changed["steps"][-1] = {
            **changed["steps"][-1],
            "fields": [
                *changed["steps"][-1]["fields"],
                {"key": "cause", "type": "text", "label": {"ja": "死因", "en": "Cause"}},
            ],
        }
        loader = DemoLoader()
        loader.municipalities[demo.KASAMA_CODE] = kasama
        demo._form_version(loader, procedure, demo.definition_of(changed))
        assert loader.report.created["form_version"] == 1
        new = procedure.current_version()
        assert new.number == old.number + 1
        assert "cause" in {f["key"] for s in new.definition["steps"] for f in s["fields"]}
        old.refresh_from_db()
        assert old.definition == old_definition
        assert old.published_at is not None
        # The same change again creates nothing.
        demo._form_version(loader, procedure, demo.definition_of(changed))
        assert loader.report.unchanged["form_version"] == 1
        # Neither does the original definition, which the demo loaded before: a version
        # made since (here the demo's own, in the console staff's) is kept.
        demo._form_version(loader, procedure, demo.definition_of(entry))
        assert procedure.current_version().number == new.number
