"""One-stop life events (ライフイベント): 引越し, 出生, 婚姻, 死亡, 子育て, 介護.

A life event asks a few questions (`LifeEvent.questions`, form fields in the format of
`procedures.formdef`); the answers decide which of its procedures apply (each
`LifeEventProcedure.condition`, evaluated with `formdef.evaluate`). The person then
enters the shared answers once (`LifeEvent.shared_fields`, also formdef fields, each
with a `shared` key such as ``applicant.name``); they are kept in a `LifeEventCase` by
shared key, and `prefill()` fills every form field that names the same `shared` key.
Each procedure is still applied for separately and goes to its own department.

Who may open a case: the signed-in user it belongs to; a case started without signing
in belongs to the browser session that started it (its public_id is listed in the
session) and is deleted by retention after `ANONYMOUS_CASE_DAYS`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse

from madoguchi.audit import services as audit
from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope

from .. import formdef
from ..models import LifeEvent, LifeEventCase, LifeEventProcedure, Procedure, Submission, SubmissionStatus

logger = logging.getLogger(__name__)

#: The session key listing the public_ids of the cases started without signing in.
SESSION_KEY = "procedures_life_event_cases"
#: Cases started without signing in are deleted after this many days (retention).
ANONYMOUS_CASE_DAYS = 30


# --- definitions ----------------------------------------------------------------------


def _definition(event: LifeEvent, fields: Any, key: str) -> formdef.FormDefinition | None:
    if not fields:
        return None
    return formdef.parse(
        {
            "format": formdef.FORMAT,
            "steps": [{"key": key, "title": {"ja": event.name_ja, "en": event.name_en}, "fields": list(fields)}],
        }
    )


def questions_definition(event: LifeEvent) -> formdef.FormDefinition | None:
    """The event's questions as a one-step form definition (None without questions)."""
    return _definition(event, event.questions, "questions")


def shared_definition(event: LifeEvent) -> formdef.FormDefinition | None:
    """The event's shared answers as a one-step form definition (None without any)."""
    return _definition(event, event.shared_fields, "shared")


def shared_key_of(f: formdef.Field) -> str:
    """Where a shared field's value is kept in `LifeEventCase.shared_data`."""
    return f.shared or f.key


# --- which procedures apply -----------------------------------------------------------


def published_events(municipality: Municipality) -> list[LifeEvent]:
    with municipality_scope(municipality):
        return list(LifeEvent.objects.filter(municipality=municipality, is_published=True))


def applicable_entries(event: LifeEvent, answers: Mapping[str, Any]) -> list[LifeEventProcedure]:
    """The event's published procedures whose condition holds for the answers, in the
    event's order. A condition that cannot be evaluated (a broken definition) is logged
    and the procedure shown: better one procedure too many than a missed one."""
    with municipality_scope(event.municipality_id):
        entries = list(
            LifeEventProcedure.objects.filter(life_event=event, procedure__is_published=True)
            .select_related("procedure", "procedure__department")
            .order_by("sort_order", "pk")
        )
    chosen = []
    for entry in entries:
        try:
            applies = formdef.evaluate(entry.condition, answers)
        except formdef.FormDefinitionError:
            logger.warning("life event %s: bad condition for %s", event.slug, entry.procedure.slug)
            applies = True
        if applies:
            chosen.append(entry)
    return chosen


@dataclass
class CaseItem:
    """One applicable procedure of a case, as the person's page shows it."""

    entry: LifeEventProcedure
    procedure: Procedure
    submission: Submission | None = None
    apply_url: str = ""
    paper_form_url: str = ""
    detail_url: str = ""
    submission_url: str = ""

    @property
    def state(self) -> str:
        """ "online_todo", "paper", "draft" or "submitted"."""
        if self.submission is not None:
            return "draft" if self.submission.status == SubmissionStatus.DRAFT else "submitted"
        return "online_todo" if self.procedure.is_online else "paper"


@dataclass
class DepartmentGroup:
    department: Department
    items: list[CaseItem] = field(default_factory=list)


def _url(name: str, **kwargs: Any) -> str:
    # The applying part's pages may not be mounted (yet): the list still works.
    try:
        return reverse(f"procedures:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return ""


def case_items(case: LifeEventCase, *, user: Any = None) -> list[DepartmentGroup]:
    """The case's applicable procedures grouped by department (in the event's order of
    their first procedure), each with its state: not started, paper only, draft, or
    submitted with its number."""
    slug = case.municipality.slug
    entries = applicable_entries(case.life_event, case.answers)
    with municipality_scope(case.municipality_id):
        submissions = list(
            Submission.objects.filter(life_event_case=case).order_by("-created_at").select_related("procedure")
        )
    latest: dict[int, Submission] = {}
    for s in submissions:
        latest.setdefault(s.procedure_id, s)
    groups: dict[int, DepartmentGroup] = {}
    for entry in entries:
        procedure = entry.procedure
        submission = latest.get(procedure.pk)
        item = CaseItem(entry=entry, procedure=procedure, submission=submission)
        item.detail_url = _url("procedure_detail", municipality_slug=slug, slug=procedure.slug)
        if procedure.is_online:
            base = _url("apply", municipality_slug=slug, slug=procedure.slug)
            item.apply_url = f"{base}?case={case.public_id}" if base else ""
        if procedure.paper_form:
            item.paper_form_url = _url("paper_form", municipality_slug=slug, slug=procedure.slug)
        if submission is not None and submission.status != SubmissionStatus.DRAFT:
            item.submission_url = _url("my_submission", municipality_slug=slug, public_id=submission.public_id)
        group = groups.setdefault(procedure.department_id, DepartmentGroup(department=procedure.department))
        group.items.append(item)
    return list(groups.values())


# --- cases ----------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _session_ids(session: Any) -> list[str]:
    if session is None:
        return []
    return list(session.get(SESSION_KEY, []))


def can_open(case: LifeEventCase, *, user: Any, session: Any) -> bool:
    """A case is its user's; one started without signing in is the session's."""
    if case.user_id is not None:
        return _signed_in(user) and case.user_id == user.pk
    return str(case.public_id) in _session_ids(session)


def get_case(
    municipality: Municipality, public_id: uuid.UUID | str, *, user: Any, session: Any
) -> LifeEventCase | None:
    """The case if this person may open it, else None (treat as not found). For the
    applying part's ``?case=`` too."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        return None
    with municipality_scope(municipality):
        case = (
            LifeEventCase.objects.filter(municipality=municipality, public_id=wanted)
            .select_related("life_event", "municipality")
            .first()
        )
    if case is None or not can_open(case, user=user, session=session):
        return None
    return case


def _audit(case: LifeEventCase, action: str, fields: list[str], *, request: Any, what: str) -> None:
    audit.record(
        action=action,
        obj=case,
        municipality=case.municipality,
        request=request,
        personal_data=True,
        subject=case.user,
        fields=fields,
        extra={"life_event": case.life_event.slug, "what": what},
    )


@transaction.atomic
def start_case(
    event: LifeEvent, answers: Mapping[str, Any], *, user: Any, session: Any, request: Any = None
) -> LifeEventCase:
    """A new case with the answers to the questions; kept for a signed-in user, else
    listed in the session."""
    case = LifeEventCase.objects.create(
        municipality_id=event.municipality_id,
        life_event=event,
        user=user if _signed_in(user) else None,
        answers=dict(answers),
    )
    if case.user_id is None and session is not None:
        session[SESSION_KEY] = [*_session_ids(session), str(case.public_id)][-20:]
    _audit(case, audit.Action.CREATE, sorted(answers), request=request, what="answers")
    return case


@transaction.atomic
def save_answers(case: LifeEventCase, answers: Mapping[str, Any], *, request: Any = None) -> LifeEventCase:
    """Answer the questions again (the person's situation changed)."""
    case.answers = dict(answers)
    case.save(update_fields=["answers", "updated_at"])
    _audit(case, audit.Action.UPDATE, sorted(answers), request=request, what="answers")
    return case


@transaction.atomic
def save_shared(case: LifeEventCase, values: Mapping[str, Any], *, request: Any = None) -> LifeEventCase:
    """Keep the shared answers, from the shared form's values (by field key), by their
    shared key. Empty values are dropped: they would prefill nothing."""
    definition = shared_definition(case.life_event)
    shared: dict[str, Any] = {}
    if definition is not None:
        for f in definition.input_fields():
            value = values.get(f.key)
            if not formdef.is_empty(value):
                shared[shared_key_of(f)] = value
    case.shared_data = shared
    case.save(update_fields=["shared_data", "updated_at"])
    _audit(case, audit.Action.UPDATE, sorted(shared), request=request, what="shared_data")
    return case


def shared_initial(case: LifeEventCase) -> dict[str, Any]:
    """The shared form's stored values by field key (to edit them again)."""
    definition = shared_definition(case.life_event)
    if definition is None:
        return {}
    return {
        f.key: case.shared_data[shared_key_of(f)]
        for f in definition.input_fields()
        if shared_key_of(f) in case.shared_data
    }


def shared_summary(case: LifeEventCase) -> list[tuple[str, str]]:
    """(label, value as shown) of the shared answers, in the form's order."""
    definition = shared_definition(case.life_event)
    if definition is None:
        return []
    return [
        (f.text, f.display(case.shared_data[shared_key_of(f)]))
        for f in definition.input_fields()
        if shared_key_of(f) in case.shared_data
    ]


def audit_read(case: LifeEventCase, *, request: Any = None) -> None:
    """Record that the person's page (with the shared answers) was shown."""
    _audit(case, audit.Action.VIEW, ["answers", "shared_data"], request=request, what="case")


def prefill(case: LifeEventCase, definition: formdef.FormDefinition) -> dict[str, Any]:
    """Initial values for a form from the case's shared answers (by `shared` key): only
    the input fields whose `shared` key the case has a value for; others are left out."""
    shared = case.shared_data or {}
    values: dict[str, Any] = {}
    for f in definition.input_fields():
        if not f.shared or f.type == "file" or formdef.is_empty(shared.get(f.shared)):
            continue
        value = shared[f.shared]
        if f.type in formdef.CHOICE_TYPES:
            # Only a value the target field offers: another form's options may differ.
            allowed = {o.value for o in f.options}
            picked = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            if not set(picked) <= allowed:
                continue
        values[f.key] = value
    return values
