"""様式の版: the draft staff edit and the published versions residents fill in.

A procedure has at most one draft (`FormVersion.published_at` empty). `draft_version()`
gets it or starts one from the current published definition; `save_draft()` keeps a
definition that `formdef.parse` accepts; `publish()` freezes the draft. Published
versions never change (a submission keeps the version it was made with), and numbers
only grow.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit import services as audit
from madoguchi.core.tenancy import municipality_scope

from .. import formdef
from ..models import FormVersion, Procedure
from .common import ProcedureError

#: The definition of a new procedure's first draft: one step with one field.
STARTER_DEFINITION: dict[str, Any] = {
    "format": formdef.FORMAT,
    "steps": [
        {
            "key": "applicant",
            "title": {"ja": "申請者", "en": "Applicant"},
            "fields": [{"key": "name", "type": "name", "label": {"ja": "氏名", "en": "Name"}, "required": True}],
        }
    ],
    "applicant": {"name_field": "name"},
}


def versions(procedure: Procedure) -> list[FormVersion]:
    """Every version of the procedure's form, newest first (the draft, if any, on top)."""
    with municipality_scope(procedure.municipality_id):
        return list(
            FormVersion.objects.filter(procedure=procedure)
            .select_related("created_by", "published_by")
            .order_by("-number")
        )


def current_draft(procedure: Procedure) -> FormVersion | None:
    with municipality_scope(procedure.municipality_id):
        return FormVersion.objects.filter(procedure=procedure, published_at__isnull=True).first()


def check_definition(definition: Mapping[str, Any]) -> formdef.FormDefinition:
    """The parsed definition, or a ProcedureError that lists every problem (its
    `params["problems"]` holds the (path, message) pairs for the editor)."""
    try:
        return formdef.parse(definition)
    except formdef.FormDefinitionError as error:
        raise ProcedureError(
            [
                _("%(path)s：%(message)s") % {"path": path or _("様式"), "message": message}
                for path, message in error.problems
            ],
            code="invalid_definition",
        ) from error


def problems_of(error: ProcedureError) -> list[str]:
    return [str(message) for message in error.messages]


@transaction.atomic
def draft_version(procedure: Procedure, actor: Any, *, request: HttpRequest | None = None) -> FormVersion:
    """The procedure's draft; a new one (a copy of the current published definition, or
    a starter form) when there is none. Two staff members opening the editor at once
    get the same draft."""
    with municipality_scope(procedure.municipality_id):
        Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
        draft = FormVersion.objects.filter(procedure=procedure, published_at__isnull=True).first()
        if draft is not None:
            return draft
        current = procedure.current_version()
        definition = copy.deepcopy(current.definition) if current else copy.deepcopy(STARTER_DEFINITION)
        number = (FormVersion.objects.filter(procedure=procedure).aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                draft = FormVersion.objects.create(
                    municipality_id=procedure.municipality_id,
                    procedure=procedure,
                    number=number,
                    definition=definition,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            # Someone else started it in the meantime (databases without row locks).
            return FormVersion.objects.get(procedure=procedure, published_at__isnull=True)
    audit.record(
        action=audit.Action.CREATE,
        obj=draft,
        municipality=procedure.municipality,
        actor=actor,
        request=request,
        fields=["definition"],
        extra={"procedure": procedure.slug, "number": number, "from_version": current.number if current else None},
    )
    return draft


def _editable(version: FormVersion) -> FormVersion:
    with municipality_scope(version.municipality_id):
        fresh = FormVersion.objects.select_for_update().get(pk=version.pk)
    if not fresh.is_draft:
        raise ProcedureError(
            _("第%(number)s版は公開済みのため変更できません。新しい版の下書きを作成してください。")
            % {"number": fresh.number},
            code="published",
        )
    return fresh


@transaction.atomic
def save_draft(
    version: FormVersion, definition: Mapping[str, Any], actor: Any, *, request: HttpRequest | None = None
) -> FormVersion:
    """Keep `definition` in the draft; ProcedureError (listing every problem) when it
    cannot be used, or when the version is published."""
    fresh = _editable(version)
    check_definition(definition)
    stored = {**dict(definition), "format": formdef.FORMAT}
    if stored == fresh.definition:
        return fresh
    fresh.definition = stored
    fresh.save(update_fields=["definition", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=fresh,
        municipality=fresh.municipality,
        actor=actor,
        request=request,
        fields=["definition"],
        extra={"procedure": fresh.procedure.slug, "number": fresh.number},
    )
    version.definition = fresh.definition
    return fresh


@transaction.atomic
def publish(version: FormVersion, actor: Any, change_note: str, *, request: HttpRequest | None = None) -> FormVersion:
    """Publish the draft: from now on residents fill in this version. Publishing a
    version already published (a double click) returns it unchanged."""
    with municipality_scope(version.municipality_id):
        fresh = FormVersion.objects.select_for_update().get(pk=version.pk)
    if not fresh.is_draft:
        return fresh
    check_definition(fresh.definition)
    note = (change_note or "").strip()
    if not note:
        raise ProcedureError(_("変更内容を入力してください（公開の記録に残ります）。"), code="change_note")
    if len(note) > 300:
        raise ProcedureError(_("変更内容は300文字以内で入力してください。"), code="change_note")
    fresh.published_at = timezone.now()
    fresh.published_by = actor if getattr(actor, "pk", None) else None
    fresh.change_note = note
    fresh.save(update_fields=["published_at", "published_by", "change_note", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=fresh,
        municipality=fresh.municipality,
        actor=actor,
        request=request,
        fields=["published_at", "change_note"],
        extra={"procedure": fresh.procedure.slug, "number": fresh.number, "published": True},
    )
    return fresh


def version_of(procedure: Procedure, number: int | None = None) -> FormVersion | None:
    """A published version by number, or the current one."""
    with municipality_scope(procedure.municipality_id):
        if number is None:
            return procedure.current_version()  # type: ignore[no-any-return]
        return FormVersion.objects.filter(procedure=procedure, number=number, published_at__isnull=False).first()
