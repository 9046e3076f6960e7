"""Form definitions (様式の定義): the JSON format in which a procedure's form is data.

A definition is a dict, stored in `FormVersion.definition`::

    {
      "format": 1,
      "steps": [
        {"key": "requester",
         "title": {"ja": "請求者", "en": "Requester"},
         "intro": {"ja": "…", "en": "…"},                 # optional
         "show_if": CONDITION,                              # optional: the whole step
         "fields": [
           {"key": "requester_name", "type": "name",
            "label": {"ja": "氏名", "en": "Name"},
            "help": {"ja": "…", "en": "…"},                 # optional
            "required": true,                               # default false
            "show_if": CONDITION, "required_if": CONDITION, # optional
            "shared": "applicant.name",                     # optional: filled from a life event
            "options": [{"value": "all", "label": {"ja": "世帯全員", "en": "…"}}],  # choice types
            "min": 1, "max": 10,                            # integer
            "max_length": 200,                              # text types
            "accept": ["pdf", "jpeg", "png"], "max_size_mb": 5,  # file
            "address_field": "requester_address"           # postal_code: the field it fills
           }]}
      ],
      "fee": {"lines": [{"label": {"ja": "住民票の写し", "en": "…"}, "amount": 300,
                          "quantity_field": "copies", "when": CONDITION}]},
      "applicant": {"name_field": "requester_name", "email_field": "email"}
    }

Conditions: `{"field": k, "equals": v}`, `{"field": k, "not_equals": v}`,
`{"field": k, "in": [v, …]}`, `{"field": k, "contains": v}` (a multiple choice includes
v), `{"field": k, "filled": true|false}`, `{"all": [c, …]}`, `{"any": [c, …]}`,
`{"not": c}`. A condition may only name fields that come before it or in the same step.

Stored values (`Submission.data`): text types are strings, `integer` an int, `date` an ISO
date string, `boolean` a bool, `multichoice` a list of option values, `file` a list of
`{"attachment": id, "name": …, "sha256": …, "size": …}`.

This module is pure: no database, no Django forms (see `procedures.formbuild`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

FORMAT = 1

#: Field types and whether they take input. `notice` is text shown in the form.
FIELD_TYPES: dict[str, str] = {
    "text": "一行テキスト",
    "textarea": "複数行テキスト",
    "name": "氏名",
    "kana": "フリガナ",
    "email": "メールアドレス",
    "phone": "電話番号",
    "postal_code": "郵便番号",
    "address": "住所",
    "date": "日付（和暦・西暦）",
    "integer": "整数",
    "choice": "選択（ラジオボタン）",
    "select": "選択（リスト）",
    "multichoice": "複数選択（チェックボックス）",
    "boolean": "確認・同意（チェック）",
    "file": "添付ファイル",
    "notice": "説明文（入力なし）",
}
CHOICE_TYPES = frozenset({"choice", "select", "multichoice"})
TEXT_TYPES = frozenset({"text", "textarea", "name", "kana", "email", "phone", "postal_code", "address"})
#: File types an attachment may have, by the name used in `accept`; checked by content.
FILE_KINDS: dict[str, str] = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
}
DEFAULT_ACCEPT = ("pdf", "jpeg", "png")
MAX_FILE_SIZE_MB = 20
OPERATORS = ("equals", "not_equals", "in", "contains", "filled")


class FormDefinitionError(ValueError):
    """A definition that cannot be used; `problems` lists (path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


def localized(value: Any, language: str | None = None) -> str:
    """The text of a `{"ja": …, "en": …}` value in the current language (English when
    asked for and present, else Japanese); a plain string is returned as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    lang = (language or get_language() or "ja")[:2]
    if lang == "en" and value.get("en"):
        return str(value["en"])
    return str(value.get("ja") or value.get("en") or "")


@dataclass(frozen=True)
class Option:
    value: str
    label: dict[str, str]

    @property
    def text(self) -> str:
        return localized(self.label)


@dataclass(frozen=True)
class Field:
    """One field of a form definition (see the module docstring for the keys)."""

    key: str
    type: str
    label: dict[str, str]
    step: str
    help: dict[str, str] = field(default_factory=dict)
    required: bool = False
    show_if: Any = None
    required_if: Any = None
    shared: str = ""
    options: tuple[Option, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    accept: tuple[str, ...] = DEFAULT_ACCEPT
    max_size_mb: int = 10
    address_field: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> str:
        return localized(self.label)

    @property
    def help_text(self) -> str:
        return localized(self.help)

    @property
    def takes_input(self) -> bool:
        return self.type != "notice"

    def option_text(self, value: Any) -> str:
        for option in self.options:
            if option.value == value:
                return option.text
        return str(value)

    def display(self, value: Any) -> str:
        """A stored value as a person reads it (confirmation page, receipt, staff)."""
        if value in (None, "", []):
            return ""
        if self.type in ("choice", "select"):
            return self.option_text(value)
        if self.type == "multichoice":
            return "、".join(self.option_text(v) for v in value)
        if self.type == "boolean":
            return _("はい") if value else _("いいえ")
        if self.type == "file":
            return "、".join(str(f.get("name", "")) for f in value)
        if self.type == "date":
            from datetime import date

            from madoguchi.japanese.wareki import format_wareki

            try:
                return format_wareki(date.fromisoformat(str(value)))
            except ValueError:
                return str(value)
        return str(value)


@dataclass(frozen=True)
class Step:
    key: str
    title: dict[str, str]
    fields: tuple[Field, ...]
    intro: dict[str, str] = field(default_factory=dict)
    show_if: Any = None

    @property
    def text(self) -> str:
        return localized(self.title)

    @property
    def intro_text(self) -> str:
        return localized(self.intro)


@dataclass(frozen=True)
class FeeLine:
    label: dict[str, str]
    amount: int
    quantity_field: str = ""
    when: Any = None

    @property
    def text(self) -> str:
        return localized(self.label)


@dataclass(frozen=True)
class FeeItem:
    """A line of a computed fee: label, unit amount, quantity and subtotal."""

    label: str
    unit_amount: int
    quantity: int
    amount: int


@dataclass(frozen=True)
class Fee:
    items: tuple[FeeItem, ...]

    @property
    def total(self) -> int:
        return sum(item.amount for item in self.items)


@dataclass(frozen=True)
class FormDefinition:
    steps: tuple[Step, ...]
    fee_lines: tuple[FeeLine, ...] = ()
    name_field: str = ""
    email_field: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def fields(self) -> list[Field]:
        return [f for step in self.steps for f in step.fields]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def has_field(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)

    def input_fields(self) -> list[Field]:
        return [f for f in self.fields if f.takes_input]

    def visible_steps(self, data: Mapping[str, Any]) -> list[Step]:
        return [s for s in self.steps if s.show_if is None or evaluate(s.show_if, data)]

    def is_visible(self, f: Field, data: Mapping[str, Any]) -> bool:
        step = next(s for s in self.steps if s.key == f.step)
        if step.show_if is not None and not evaluate(step.show_if, data):
            return False
        return f.show_if is None or evaluate(f.show_if, data)

    def visible_fields(self, data: Mapping[str, Any]) -> list[Field]:
        return [f for f in self.fields if self.is_visible(f, data)]

    def is_required(self, f: Field, data: Mapping[str, Any]) -> bool:
        if not f.takes_input or not self.is_visible(f, data):
            return False
        return f.required or (f.required_if is not None and evaluate(f.required_if, data))

    def clean_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The values of visible input fields only: an answer to a question that no
        longer applies (the applicant changed an earlier choice) is not kept."""
        keep = {f.key for f in self.visible_fields(data) if f.takes_input}
        return {k: v for k, v in data.items() if k in keep}

    def missing_required(self, data: Mapping[str, Any]) -> list[Field]:
        """Required fields (under the conditions that hold for `data`) without a value."""
        return [f for f in self.fields if self.is_required(f, data) and is_empty(data.get(f.key))]

    def fee(self, data: Mapping[str, Any]) -> Fee:
        return compute_fee(self, data)

    def shared_keys(self) -> dict[str, str]:
        """Field key → shared key, for the fields a life event's shared answers fill."""
        return {f.key: f.shared for f in self.fields if f.shared}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def evaluate(condition: Any, data: Mapping[str, Any]) -> bool:
    """Whether `condition` holds for the values in `data` (see the module docstring)."""
    if condition is None:
        return True
    if not isinstance(condition, Mapping):
        raise FormDefinitionError([("condition", _("条件の形式が正しくありません。"))])
    if "all" in condition:
        return all(evaluate(c, data) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, data) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], data)
    value = data.get(condition.get("field", ""))
    if "equals" in condition:
        return _same(value, condition["equals"])
    if "not_equals" in condition:
        return not _same(value, condition["not_equals"])
    if "in" in condition:
        return any(_same(value, v) for v in condition["in"])
    if "contains" in condition:
        return isinstance(value, list) and any(_same(v, condition["contains"]) for v in value)
    if "filled" in condition:
        return (not is_empty(value)) == bool(condition["filled"])
    raise FormDefinitionError([("condition", _("条件の形式が正しくありません。"))])


def _same(a: Any, b: Any) -> bool:
    # Values typed in a condition ("2") and stored values (2) compare as text.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or str(a).lower() == str(b).lower()
    return a is not None and str(a) == str(b)


def condition_fields(condition: Any) -> set[str]:
    """Every field key a condition names."""
    if not isinstance(condition, Mapping):
        return set()
    keys: set[str] = set()
    for combinator in ("all", "any"):
        for c in condition.get(combinator, []) or []:
            keys |= condition_fields(c)
    if "not" in condition:
        keys |= condition_fields(condition["not"])
    if "field" in condition:
        keys.add(str(condition["field"]))
    return keys


def compute_fee(definition: FormDefinition, data: Mapping[str, Any]) -> Fee:
    """The fee for `data`: each line whose condition holds, times its quantity field."""
    items = []
    for line in definition.fee_lines:
        if line.when is not None and not evaluate(line.when, data):
            continue
        quantity = 1
        if line.quantity_field:
            try:
                quantity = int(data.get(line.quantity_field) or 0)
            except (TypeError, ValueError):
                quantity = 0
        if quantity <= 0:
            continue
        items.append(
            FeeItem(label=line.text, unit_amount=line.amount, quantity=quantity, amount=line.amount * quantity)
        )
    return Fee(items=tuple(items))


# --- Parsing and checking a definition ------------------------------------------------


def _text_value(value: Any, path: str, problems: list[tuple[str, str]], *, required: bool) -> dict[str, str]:
    if value is None or value == "":
        if required:
            problems.append((path, _("日本語の表記を入力してください。")))
        return {}
    if isinstance(value, str):
        value = {"ja": value}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        problems.append((path, _("{'ja': …, 'en': …} の形式で指定してください。")))
        return {}
    if required and not value.get("ja"):
        problems.append((path, _("日本語の表記を入力してください。")))
    return {k: v for k, v in value.items() if k in ("ja", "en") and v}


def _check_condition(condition: Any, path: str, known: set[str], problems: list[tuple[str, str]]) -> None:
    if condition is None:
        return
    if not isinstance(condition, Mapping):
        problems.append((path, _("条件の形式が正しくありません。")))
        return
    if "all" in condition or "any" in condition:
        parts = condition.get("all", condition.get("any"))
        if not isinstance(parts, list) or not parts:
            problems.append((path, _("「すべて」「いずれか」には条件を1つ以上指定してください。")))
            return
        for i, c in enumerate(parts):
            _check_condition(c, f"{path}[{i}]", known, problems)
        return
    if "not" in condition:
        _check_condition(condition["not"], f"{path}.not", known, problems)
        return
    key = condition.get("field")
    if not key:
        problems.append((path, _("条件に項目を指定してください。")))
    elif key not in known:
        problems.append((path, _("条件の項目「%(key)s」は、この項目より前にありません。") % {"key": key}))
    if not any(op in condition for op in OPERATORS):
        problems.append((path, _("条件の比べ方（等しい・含む など）を指定してください。")))


def parse(definition: Mapping[str, Any]) -> FormDefinition:
    """Check a definition and return it as objects; raises FormDefinitionError listing
    every problem found (with its place in the definition)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(definition, Mapping):
        raise FormDefinitionError([("", _("様式の定義はオブジェクトで指定してください。"))])
    raw_steps = definition.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise FormDefinitionError([("steps", _("段階を1つ以上作成してください。"))])
    seen_keys: set[str] = set()
    step_keys: set[str] = set()
    steps: list[Step] = []
    for si, raw_step in enumerate(raw_steps):
        spath = f"steps[{si}]"
        if not isinstance(raw_step, Mapping):
            problems.append((spath, _("段階の形式が正しくありません。")))
            continue
        step_key = str(raw_step.get("key") or f"step{si + 1}")
        if step_key in step_keys:
            problems.append((f"{spath}.key", _("段階の識別名「%(key)s」が重複しています。") % {"key": step_key}))
        step_keys.add(step_key)
        title = _text_value(raw_step.get("title"), f"{spath}.title", problems, required=True)
        intro = _text_value(raw_step.get("intro"), f"{spath}.intro", problems, required=False)
        _check_condition(raw_step.get("show_if"), f"{spath}.show_if", set(seen_keys), problems)
        step_fields: list[Field] = []
        raw_fields = raw_step.get("fields") or []
        if not isinstance(raw_fields, list):
            problems.append((f"{spath}.fields", _("項目の形式が正しくありません。")))
            raw_fields = []
        # A condition may name fields of earlier steps and of its own step (shown and
        # hidden in place as the applicant answers).
        step_field_keys = {str(f.get("key")) for f in raw_fields if isinstance(f, Mapping) and f.get("key")}
        known = seen_keys | step_field_keys
        for fi, raw_field in enumerate(raw_fields):
            fpath = f"{spath}.fields[{fi}]"
            parsed = _parse_field(raw_field, fpath, step_key, known, seen_keys, problems)
            if parsed is not None:
                step_fields.append(parsed)
                seen_keys.add(parsed.key)
        steps.append(
            Step(key=step_key, title=title, fields=tuple(step_fields), intro=intro, show_if=raw_step.get("show_if"))
        )
    fee_lines: list[FeeLine] = []
    raw_fee = definition.get("fee") or {}
    for li, line in enumerate(raw_fee.get("lines", []) if isinstance(raw_fee, Mapping) else []):
        lpath = f"fee.lines[{li}]"
        if not isinstance(line, Mapping):
            problems.append((lpath, _("手数料の形式が正しくありません。")))
            continue
        label = _text_value(line.get("label"), f"{lpath}.label", problems, required=True)
        amount = line.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            problems.append((f"{lpath}.amount", _("金額は0以上の整数（円）で指定してください。")))
            amount = 0
        quantity_field = str(line.get("quantity_field") or "")
        if quantity_field and quantity_field not in seen_keys:
            problems.append(
                (f"{lpath}.quantity_field", _("数量の項目「%(key)s」がありません。") % {"key": quantity_field})
            )
        _check_condition(line.get("when"), f"{lpath}.when", seen_keys, problems)
        fee_lines.append(FeeLine(label=label, amount=amount, quantity_field=quantity_field, when=line.get("when")))
    applicant = definition.get("applicant") or {}
    name_field = str(applicant.get("name_field") or "") if isinstance(applicant, Mapping) else ""
    email_field = str(applicant.get("email_field") or "") if isinstance(applicant, Mapping) else ""
    for path, key in (("applicant.name_field", name_field), ("applicant.email_field", email_field)):
        if key and key not in seen_keys:
            problems.append((path, _("項目「%(key)s」がありません。") % {"key": key}))
    if problems:
        raise FormDefinitionError(problems)
    return FormDefinition(
        steps=tuple(steps),
        fee_lines=tuple(fee_lines),
        name_field=name_field,
        email_field=email_field,
        raw=definition,
    )


def _parse_field(
    raw: Any, path: str, step_key: str, known: set[str], seen: set[str], problems: list[tuple[str, str]]
) -> Field | None:
    if not isinstance(raw, Mapping):
        problems.append((path, _("項目の形式が正しくありません。")))
        return None
    key = str(raw.get("key") or "")
    if not key or not key.replace("_", "").isalnum() or not key.isascii() or key[0].isdigit():
        problems.append((f"{path}.key", _("識別名は半角英数字と「_」で、英字から始めてください。")))
        return None
    if key in seen:
        problems.append((f"{path}.key", _("識別名「%(key)s」が重複しています。") % {"key": key}))
        return None
    kind = str(raw.get("type") or "")
    if kind not in FIELD_TYPES:
        problems.append((f"{path}.type", _("項目の種類「%(type)s」は使えません。") % {"type": kind}))
        return None
    label = _text_value(raw.get("label"), f"{path}.label", problems, required=True)
    help_text = _text_value(raw.get("help"), f"{path}.help", problems, required=False)
    own = known - {key}
    _check_condition(raw.get("show_if"), f"{path}.show_if", own, problems)
    _check_condition(raw.get("required_if"), f"{path}.required_if", own, problems)
    options: list[Option] = []
    if kind in CHOICE_TYPES:
        raw_options = raw.get("options") or []
        values: set[str] = set()
        for oi, raw_option in enumerate(raw_options if isinstance(raw_options, list) else []):
            opath = f"{path}.options[{oi}]"
            if not isinstance(raw_option, Mapping) or not str(raw_option.get("value", "")).strip():
                problems.append((opath, _("選択肢の値を入力してください。")))
                continue
            value = str(raw_option["value"]).strip()
            if value in values:
                problems.append((opath, _("選択肢の値「%(value)s」が重複しています。") % {"value": value}))
            values.add(value)
            options.append(
                Option(
                    value=value, label=_text_value(raw_option.get("label"), f"{opath}.label", problems, required=True)
                )
            )
        if not options:
            problems.append((f"{path}.options", _("選択肢を1つ以上作成してください。")))

    def integer(name: str) -> int | None:
        value = raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append((f"{path}.{name}", _("整数で指定してください。")))
            return None
        return value

    minimum, maximum, max_length = integer("min"), integer("max"), integer("max_length")
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append((f"{path}.max", _("最大値は最小値以上にしてください。")))
    accept = tuple(raw.get("accept") or DEFAULT_ACCEPT)
    unknown = [a for a in accept if a not in FILE_KINDS]
    if kind == "file" and unknown:
        problems.append(
            (f"{path}.accept", _("ファイルの種類「%(kinds)s」は使えません。") % {"kinds": ", ".join(unknown)})
        )
    max_size_mb = integer("max_size_mb") or 10
    if kind == "file" and not 1 <= max_size_mb <= MAX_FILE_SIZE_MB:
        problems.append(
            (
                f"{path}.max_size_mb",
                _("ファイルの大きさの上限は1〜%(max)sMBにしてください。") % {"max": MAX_FILE_SIZE_MB},
            )
        )
    address_field = str(raw.get("address_field") or "")
    if address_field and address_field not in known:
        problems.append((f"{path}.address_field", _("住所の項目「%(key)s」がありません。") % {"key": address_field}))
    return Field(
        key=key,
        type=kind,
        label=label,
        step=step_key,
        help=help_text,
        required=bool(raw.get("required", False)),
        show_if=raw.get("show_if"),
        required_if=raw.get("required_if"),
        shared=str(raw.get("shared") or ""),
        options=tuple(options),
        min=minimum,
        max=maximum,
        max_length=max_length,
        accept=accept,
        max_size_mb=max_size_mb,
        address_field=address_field,
        raw=raw,
    )


def field_keys(definition: Mapping[str, Any]) -> list[str]:
    """The field keys of a stored definition, without checking it."""
    return [
        str(f.get("key")) for s in definition.get("steps", []) for f in s.get("fields", []) if isinstance(f, Mapping)
    ]


def summarize(definition: FormDefinition, data: Mapping[str, Any]) -> list[tuple[Step, list[tuple[Field, str]]]]:
    """The visible answers by step, as a person reads them (confirmation page, receipt,
    staff detail)."""
    out = []
    for step in definition.visible_steps(data):
        rows = [
            (f, f.display(data.get(f.key))) for f in step.fields if f.takes_input and definition.is_visible(f, data)
        ]
        out.append((step, rows))
    return out


def iter_files(definition: FormDefinition, data: Mapping[str, Any]) -> Iterable[tuple[Field, dict[str, Any]]]:
    for f in definition.visible_fields(data):
        if f.type == "file":
            for item in data.get(f.key) or []:
                yield f, item
