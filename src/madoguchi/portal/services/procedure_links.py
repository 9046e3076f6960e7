"""What the website's pages show of a procedure of the catalog (電子申請): its name,
summary, fee and the addresses of its page and of applying — through the procedures
module's public URLs and services, so that the website shows what the catalog shows.

A procedure that is not published (withdrawn from the catalog) gives nothing: the page
that points at it then says to ask the department instead of leading to a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import translation

from madoguchi.core.models import Municipality


@dataclass(frozen=True)
class FeeText:
    label: str
    amount: int
    per_copy: bool


@dataclass(frozen=True)
class ProcedureLink:
    """A published procedure as the website shows it (texts in the active language)."""

    name: str
    summary: str
    fee_note: str
    fee_lines: list[FeeText]
    fee_timing: str
    has_fee_timing: bool
    is_online: bool
    can_apply_online: bool
    detail_url: str
    apply_url: str
    paper_form_url: str
    department: str
    department_phone: str


def procedure_link(municipality: Municipality | None, procedure_id: int | None, language: str) -> ProcedureLink | None:
    """The procedure `procedure_id` of the municipality's published catalog, or None."""
    if municipality is None or procedure_id is None:
        return None
    from madoguchi.procedures.services import search

    procedure = search.published(municipality).filter(pk=procedure_id).first()
    if procedure is None:
        return None
    with translation.override(language):
        kwargs = {"municipality_slug": municipality.slug, "slug": procedure.slug}
        version = procedure.current_version()
        return ProcedureLink(
            name=procedure.name,
            summary=procedure.summary,
            fee_note=procedure.fee_note,
            fee_lines=_fee_lines(version),
            fee_timing=str(procedure.get_fee_timing_display()),
            has_fee_timing=procedure.fee_timing != "none",
            is_online=procedure.is_online,
            can_apply_online=procedure.is_online and version is not None,
            detail_url=reverse("procedures:procedure_detail", kwargs=kwargs),
            apply_url=reverse("procedures:apply", kwargs=kwargs),
            paper_form_url=reverse("procedures:paper_form", kwargs=kwargs),
            department=procedure.department.name if procedure.department_id else "",
            department_phone=procedure.department.phone if procedure.department_id else "",
        )


def _fee_lines(version: object) -> list[FeeText]:
    """The fee lines of the procedure's current form (as the catalog's page lists them)."""
    if version is None:
        return []
    from madoguchi.procedures import formdef

    try:
        definition = formdef.parse(version.definition)  # type: ignore[attr-defined]
    except formdef.FormDefinitionError:
        return []
    lines = []
    for line in definition.fee_lines:
        lines.append(FeeText(label=line.text, amount=line.amount, per_copy=bool(line.quantity_field)))
    return lines
