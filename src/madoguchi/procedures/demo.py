"""Procedures in the demo: Kasama City's catalog (34 real procedures with their forms),
categories, one-stop life events, and submissions of the demo residents in every state,
so that the staff inbox has work (one of them overdue).

The data is in TOML beside this module (`demo/catalog.toml`: categories, shared blocks,
life events; one file per department for the procedures). Called by `core.demo.loader`
inside its transaction, idempotent like the rest of the demo: what exists is left as it
is (an administrator's changes survive), and running it again creates nothing and
writes no audit entry. A form definition changed in the files becomes a new published
version of the form: a published version is never altered, and a version staff made in
the console after the demo's is kept (the demo's versions carry the digest of the
definition they were made from, so the same definition is never loaded twice).
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.utils import timezone

from madoguchi.audit import services as audit
from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope

from . import formdef
from .models import (
    CorrectionRequest,
    EventKind,
    FormVersion,
    LifeEvent,
    LifeEventProcedure,
    Procedure,
    ProcedureCategory,
    Submission,
    SubmissionStatus,
)
from .services import common, fees

if TYPE_CHECKING:
    from madoguchi.core.demo.loader import DemoLoader

DATA_DIR = Path(__file__).resolve().parent / "demo"
KASAMA_CODE = "082163"
DIGEST_PREFIX = "demo:"

#: Procedure fields a data file may set (the rest of a `[[procedure]]` is its form).
PROCEDURE_FIELDS = (
    "code",
    "name_ja",
    "name_en",
    "reading",
    "keywords",
    "summary_ja",
    "summary_en",
    "eligibility_ja",
    "eligibility_en",
    "attachments_ja",
    "attachments_en",
    "fee_note_ja",
    "fee_note_en",
    "fee_timing",
    "processing_days",
    "identity_level",
    "availability",
    "retention_days",
    "retention_action",
    "sort_order",
)
FORM_KEYS = ("steps", "fee", "applicant")


# --- Reading the data ----------------------------------------------------------------


@dataclass(frozen=True)
class DemoData:
    municipality: str
    departments: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    procedures: list[dict[str, Any]]
    life_events: list[dict[str, Any]]


def _expand_step(step: dict[str, Any], blocks: dict[str, Any]) -> dict[str, Any]:
    if "use" in step:
        base = copy.deepcopy(blocks["steps"][step["use"]])
        omit = set(step.get("omit", []))
        base["fields"] = [f for f in base["fields"] if f["key"] not in omit]
        base.update({k: v for k, v in step.items() if k not in ("use", "omit")})
        step = base
    else:
        step = copy.deepcopy(step)
    step["fields"] = [_expand_field(f, blocks) for f in step.get("fields", [])]
    return step


def _expand_field(item: dict[str, Any], blocks: dict[str, Any]) -> dict[str, Any]:
    if "use" not in item:
        return dict(item)
    base = copy.deepcopy(blocks["fields"][item["use"]])
    base.update({k: v for k, v in item.items() if k != "use"})
    return dict(base)


def definition_of(entry: dict[str, Any]) -> dict[str, Any]:
    """The form definition (procedures.formdef format) of a procedure's data entry."""
    definition: dict[str, Any] = {"format": formdef.FORMAT}
    definition.update({k: copy.deepcopy(entry[k]) for k in FORM_KEYS if k in entry})
    return definition


def digest(definition: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@cache
def demo_data(data_dir: Path = DATA_DIR) -> DemoData:
    """Every data file read, the shared blocks expanded (cached: the files do not change
    while the process runs)."""
    catalog = tomllib.loads((data_dir / "catalog.toml").read_text(encoding="utf-8"))
    blocks = catalog.get("blocks", {"steps": {}, "fields": {}})
    procedures: list[dict[str, Any]] = []
    for path in sorted(data_dir.glob("*.toml")):
        if path.name == "catalog.toml":
            continue
        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("procedure", []):
            entry = dict(entry)
            entry["steps"] = [_expand_step(s, blocks) for s in entry.get("steps", [])]
            procedures.append(entry)
    procedures.sort(key=lambda e: (int(e.get("sort_order", 0)), e["slug"]))
    return DemoData(
        municipality=catalog["municipality"],
        departments=list(catalog.get("department", [])),
        categories=list(catalog.get("category", [])),
        procedures=procedures,
        life_events=list(catalog.get("life_event", [])),
    )


def questions_definition(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A life event's questions (or shared fields) as a one-step form definition, to
    check them with `formdef.parse`."""
    return {"format": formdef.FORMAT, "steps": [{"key": "questions", "title": {"ja": "質問"}, "fields": fields}]}


# --- Loading -------------------------------------------------------------------------


def _departments(loader: DemoLoader, municipality: Municipality, data: DemoData) -> dict[str, Department]:
    from madoguchi.core import services

    with municipality_scope(municipality):
        by_code = {d.code: d for d in Department.objects.all()}
    for item in data.departments:
        if item["code"] in by_code:
            loader._count("department", "unchanged")
            continue
        parent = by_code.get(item.get("parent", ""))
        by_code[item["code"]] = services.create_department(
            municipality,
            code=item["code"],
            name_ja=item["name_ja"],
            name_en=item.get("name_en", ""),
            parent=parent,
            sort_order=(parent.sort_order + 5) if parent is not None else 900,
        )
        loader._count("department", "created")
    return by_code


def _categories(loader: DemoLoader, municipality: Municipality, data: DemoData) -> dict[str, ProcedureCategory]:
    out: dict[str, ProcedureCategory] = {}
    for order, item in enumerate(data.categories, start=1):
        category = ProcedureCategory.objects.filter(slug=item["slug"]).first()
        if category is None:
            category = ProcedureCategory.objects.create(
                municipality=municipality,
                slug=item["slug"],
                name_ja=item["name_ja"],
                name_en=item.get("name_en", ""),
                sort_order=order * 10,
            )
            audit.record(
                action=audit.Action.CREATE, obj=category, municipality=municipality, fields=["slug", "name_ja"]
            )
            loader._count("procedure_category", "created")
        else:
            loader._count("procedure_category", "unchanged")
        out[item["slug"]] = category
    return out


def _procedure(
    loader: DemoLoader,
    municipality: Municipality,
    entry: dict[str, Any],
    departments: dict[str, Department],
    categories: dict[str, ProcedureCategory],
) -> Procedure:
    procedure = Procedure.objects.filter(slug=entry["slug"]).first()
    if procedure is None:
        values = {k: entry[k] for k in PROCEDURE_FIELDS if k in entry}
        procedure = Procedure.objects.create(
            municipality=municipality,
            slug=entry["slug"],
            department=departments[entry["department"]],
            category=categories.get(entry.get("category", "")),
            **values,
        )
        audit.record(
            action=audit.Action.CREATE,
            obj=procedure,
            municipality=municipality,
            fields=sorted(["slug", "department", "category", *values]),
        )
        loader._count("procedure", "created")
    else:
        loader._count("procedure", "unchanged")
    _form_version(loader, procedure, definition_of(entry))
    return procedure


def _form_version(loader: DemoLoader, procedure: Procedure, definition: dict[str, Any]) -> None:
    """Publish the definition as the next version unless the demo loaded this very
    definition before (whatever staff have done since)."""
    formdef.parse(definition)  # a broken data file stops the demo here, with the place named
    note = f"{DIGEST_PREFIX}{digest(definition)}"
    versions = FormVersion.objects.filter(procedure=procedure)
    if versions.filter(change_note__endswith=note).exists():
        loader._count("form_version", "unchanged")
        return
    number = (versions.aggregate(last=Max("number"))["last"] or 0) + 1
    first = number == 1
    version = FormVersion.objects.create(
        municipality=procedure.municipality,
        procedure=procedure,
        number=number,
        definition=definition,
        change_note=f"{'デモの様式' if first else 'デモの様式を更新'} {note}",
        published_at=timezone.now(),
    )
    audit.record(
        action=audit.Action.CREATE,
        obj=version,
        municipality=procedure.municipality,
        fields=["definition", "published_at"],
        extra={"procedure": procedure.slug, "number": number},
    )
    loader._count("form_version", "created")


def _life_events(
    loader: DemoLoader, municipality: Municipality, data: DemoData, procedures: dict[str, Procedure]
) -> None:
    for order, item in enumerate(data.life_events, start=1):
        event = LifeEvent.objects.filter(slug=item["slug"]).first()
        if event is None:
            event = LifeEvent.objects.create(
                municipality=municipality,
                slug=item["slug"],
                name_ja=item["name_ja"],
                name_en=item.get("name_en", ""),
                summary_ja=item.get("summary_ja", ""),
                summary_en=item.get("summary_en", ""),
                questions=item.get("questions", []),
                shared_fields=item.get("shared_fields", []),
                sort_order=order * 10,
            )
            audit.record(
                action=audit.Action.CREATE,
                obj=event,
                municipality=municipality,
                fields=["slug", "name_ja", "questions", "shared_fields"],
            )
            loader._count("life_event", "created")
        else:
            loader._count("life_event", "unchanged")
        for position, link in enumerate(item.get("procedures", []), start=1):
            procedure = procedures[link["slug"]]
            if LifeEventProcedure.objects.filter(life_event=event, procedure=procedure).exists():
                loader._count("life_event_procedure", "unchanged")
                continue
            LifeEventProcedure.objects.create(
                municipality=municipality,
                life_event=event,
                procedure=procedure,
                condition=link.get("when"),
                note_ja=link.get("note_ja", ""),
                note_en=link.get("note_en", ""),
                sort_order=position * 10,
            )
            loader._count("life_event_procedure", "created")


# --- Demo submissions ----------------------------------------------------------------


@dataclass(frozen=True)
class DemoSubmission:
    """A submission of a demo resident, made `days_ago` days ago and taken by staff
    through `path` (statuses after 受付)."""

    key: str
    procedure: str
    resident: str
    data: dict[str, Any]
    days_ago: int
    path: tuple[str, ...] = ()
    correction: str = ""
    due_in_days: int | None = None  # after submission; default: the procedure's processing days
    draft: bool = False
    paid: bool = False  # the fee invoice paid at the counter (before 完了, always)


HANAKO = "hanako@resident.example"
EMILY = "emily@resident.example"
CLERK = "clerk@kasama.example"

HANAKO_APPLICANT = {
    "name": "山田 花子",
    "name_kana": "ヤマダ ハナコ",
    "birth_date": "1985-04-01",
    "postal_code": "309-1611",
    "address": "茨城県笠間市笠間1番地（架空）",
    "phone": "0296-00-0000",
    "email": HANAKO,
}
EMILY_APPLICANT = {
    "name": "Clark Emily",
    "name_kana": "クラーク エミリー",
    "birth_date": "1992-09-15",
    "postal_code": "309-1703",
    "address": "茨城県笠間市鯉淵100番地（架空）",
    "phone": "090-0000-0000",
    "email": EMILY,
}
S = SubmissionStatus

SUBMISSIONS = (
    DemoSubmission(
        "0001",
        "jumin-hyo",
        HANAKO,
        {
            **HANAKO_APPLICANT,
            "relationship": "self",
            "record_kind": "current",
            "scope": "all",
            "items": ["zokugara", "setainushi"],
            "my_number": "no",
            "copies": 2,
            "purpose": "license",
            "send_to": "registered",
            "agree": True,
        },
        days_ago=1,
    ),
    DemoSubmission(
        "0002",
        "zei-shomei",
        HANAKO,
        {
            **HANAKO_APPLICANT,
            "certificate": "shotoku",
            "fiscal_year": "r7",
            "subject": "self",
            "copies": 1,
            "purpose": "jido",
            "send_to": "registered",
            "agree": True,
        },
        days_ago=4,
        path=(S.IN_REVIEW,),
        paid=True,
    ),
    DemoSubmission(
        # Overdue: received three weeks ago, due a week ago, not yet looked at.
        "0003",
        "koseki",
        HANAKO,
        {
            **HANAKO_APPLICANT,
            "domicile": "茨城県笠間市笠間1番地",
            "head_name": "山田 太郎",
            "relationship": "self",
            "full_copies": 1,
            "purpose": "相続手続（水戸地方法務局笠間支局）",
            "send_to": "registered",
            "agree": True,
        },
        days_ago=21,
        due_in_days=14,
        paid=True,
    ),
    DemoSubmission(
        "0004",
        "jido-teate",
        HANAKO,
        {
            **HANAKO_APPLICANT,
            "spouse_name": "山田 太郎",
            "spouse_income": "self",
            "pension": "kosei",
            "children": "山田 ゆい 令和5年6月1日 長女 同居",
            "child_count": 1,
            "bank_name": "常陽銀行 笠間支店",
            "account_type": "futsu",
            "account_number": "1234567",
            "account_holder": "ヤマダ ハナコ",
            "agree": True,
        },
        days_ago=9,
        path=(S.IN_REVIEW, S.CORRECTION_REQUESTED),
        correction="振込先口座の通帳またはキャッシュカードの写しを添付してください。",
    ),
    DemoSubmission(
        "0005",
        "sodai-gomi",
        EMILY,
        {
            **EMILY_APPLICANT,
            "items": ["furniture", "bicycle"],
            "furniture_count": 1,
            "bicycle_count": 1,
            "item_notes": "本棚（高さ180cm）、自転車（大人用）",
            "place": "玄関前",
            "agree": True,
        },
        days_ago=12,
        path=(S.IN_REVIEW, S.APPROVED, S.COMPLETED),
    ),
    DemoSubmission(
        "0006",
        "gan-kenshin",
        EMILY,
        {
            **EMILY_APPLICANT,
            "sex": "female",
            "exams": ["breast", "cervical"],
            "place": "group",
            "preferred_month": "2026-12-01",
            "agree": True,
        },
        days_ago=2,
    ),
    DemoSubmission(
        "0007",
        "inu-toroku",
        HANAKO,
        {**HANAKO_APPLICANT, "request": "register", "dog_name": "ポチ", "breed": "柴犬", "sex": "male"},
        days_ago=0,
        draft=True,
    ),
)


def _user(email: str) -> Any:
    from madoguchi.accounts.models import User

    return User.objects.filter(email__iexact=email).first()


def _pay(submission: Submission, key: str) -> None:
    """Pay the submission's fee invoice at the counter through payments, and record it on
    the submission at once (what payments' signal does after commit; `record_paid` is
    idempotent, so the signal's second delivery changes nothing)."""
    from madoguchi.payments import services as payments
    from madoguchi.payments.models import Channel

    invoice = fees.invoice_for(submission)
    if invoice is None:
        return
    payments.record_payment(
        invoice,
        channel=Channel.COUNTER,
        reference=f"demo:{key}",
        amount=invoice.amount,
        paid_on=timezone.localdate(),
        note="デモ",
    )
    invoice.refresh_from_db()
    fees.record_paid(invoice)


def _submission(loader: DemoLoader, municipality: Municipality, entry: DemoSubmission) -> bool:
    """Create one demo submission unless it exists; returns whether it was created."""
    key = f"demo-{entry.key}"
    if Submission.objects.filter(idempotency_key=key).exists():
        loader._count("submission", "unchanged")
        return False
    procedure = Procedure.objects.get(slug=entry.procedure)
    version = procedure.current_version()
    definition = formdef.parse(version.definition)
    data = definition.clean_data(entry.data)
    applicant = _user(entry.resident)
    clerk = _user(CLERK)
    when = timezone.now() - timedelta(days=entry.days_ago, hours=2)
    submission = Submission(
        municipality=municipality,
        procedure=procedure,
        form_version=version,
        department=procedure.department,
        applicant=applicant,
        applicant_name=str(data.get(definition.name_field, "")),
        applicant_email=str(data.get(definition.email_field, "")),
        language=getattr(applicant, "preferred_language", "") or "ja",
        data=data,
        signature_required=procedure.requires_signature,
        fee_amount=definition.fee(data).total,
        idempotency_key=key,
    )
    if entry.draft:
        submission.current_step = 1
        submission.save()
    else:
        submission.number = common.next_number(municipality)
        submission.status = S.RECEIVED
        submission.submitted_at = when
        if procedure.requires_signature:
            # The demo's signed submissions were signed before the demo CA existed here;
            # the date stands for the evidence the signatures part records for real ones.
            submission.signed_at = when
        days = entry.due_in_days if entry.due_in_days is not None else (procedure.processing_days or 10)
        submission.due_on = (when + timedelta(days=days)).date()
        submission.save()
        common.record_event(submission, EventKind.SUBMITTED, actor=applicant, to_status=S.RECEIVED)
        fees.on_submitted(submission, actor=applicant)
    audit.record(
        action=audit.Action.CREATE,
        obj=submission,
        municipality=municipality,
        actor=applicant,
        personal_data=True,
        subject=applicant,
        fields=sorted(data),
        extra={"number": submission.number, "demo": True},
    )
    if entry.paid:
        _pay(submission, key)
    for status in entry.path:
        if status == S.COMPLETED:
            _pay(submission, key)
        if status == S.CORRECTION_REQUESTED:
            CorrectionRequest.objects.create(
                municipality=municipality,
                submission=submission,
                requested_by=clerk,
                message=entry.correction,
                fields=["bank_book"],
                respond_by=timezone.localdate() + timedelta(days=14),
            )
        reason = entry.correction if status == S.CORRECTION_REQUESTED else ""
        submission = common.change_status(
            submission, status, who="staff", actor=clerk, reason=reason, notify_applicant=False
        )
        if status == S.APPROVED:
            fees.on_approved(submission, actor=clerk)
    loader._count("submission", "created")
    return True


def load(loader: DemoLoader) -> None:
    """Kasama's catalog, forms, life events and demo submissions (nothing for other
    municipalities)."""
    municipality = loader.municipalities.get(KASAMA_CODE)
    if municipality is None:
        return
    data = demo_data()
    before = dict(loader.report.created)
    with municipality_scope(municipality):
        departments = _departments(loader, municipality, data)
        categories = _categories(loader, municipality, data)
        procedures = {
            entry["slug"]: _procedure(loader, municipality, entry, departments, categories) for entry in data.procedures
        }
        _life_events(loader, municipality, data, procedures)
        made = sum(_submission(loader, municipality, entry) for entry in SUBMISSIONS)

    def created(kind: str) -> int:
        return loader.report.created[kind] - before.get(kind, 0)

    loader.out(
        f"手続 / procedures: {created('procedure')} 作成 / created, "
        f"{len(data.procedures) - created('procedure')} 登録済み / already there; "
        f"様式の版 / form versions: {created('form_version')} 作成 / created"
    )
    loader.out(
        f"ライフイベント / life events: {created('life_event')} 作成 / created, "
        f"{len(data.life_events) - created('life_event')} 登録済み / already there"
    )
    loader.out(f"申請 / submissions: {made} 作成 / created, {len(SUBMISSIONS) - made} 登録済み / already there")
