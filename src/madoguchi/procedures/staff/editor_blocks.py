"""The structured editor of a form definition: Wagtail blocks for steps, fields, options,
conditions and fee lines, and the conversion between their values and the JSON of
`procedures.formdef`.

Staff never type JSON: a step is a StructBlock with its fields in a StreamBlock (one
block type per field type, chosen from the "add" menu), options are a ListBlock, and a
condition is a list of (field, operator, value) rows joined by "all" or "any". A
condition the rows cannot express (nested all/any, from an imported definition) is kept
as it is and shown read-only, so that saving through the editor never loses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from wagtail import blocks

from .. import formdef

# Blocks check little themselves: formdef.parse() checks the whole definition and the
# editor lists every problem with its place, readable with or without JavaScript.

EQUALS, NOT_EQUALS, IN, CONTAINS, FILLED, EMPTY = "equals", "not_equals", "in", "contains", "filled", "empty"
OPERATOR_CHOICES = [
    (EQUALS, _("が次と等しい")),
    (NOT_EQUALS, _("が次と等しくない")),
    (IN, _("が次のいずれか（「,」区切り）")),
    (CONTAINS, _("で次を選んでいる（複数選択）")),
    (FILLED, _("が入力されている")),
    (EMPTY, _("が入力されていない")),
]
MATCH_CHOICES = [("all", _("すべての条件に当てはまるとき")), ("any", _("いずれかの条件に当てはまるとき"))]
ACCEPT_CHOICES = [("pdf", "PDF"), ("jpeg", "JPEG"), ("png", "PNG"), ("heic", "HEIC")]

TEXT_WITH_LENGTH = ("text", "textarea", "name", "kana", "address")

# The names of the field types (formdef.FIELD_TYPES), translated where they are shown.
FIELD_TYPE_NAMES = (
    gettext_noop("一行テキスト"),
    gettext_noop("複数行テキスト"),
    gettext_noop("氏名"),
    gettext_noop("フリガナ"),
    gettext_noop("メールアドレス"),
    gettext_noop("電話番号"),
    gettext_noop("郵便番号"),
    gettext_noop("住所"),
    gettext_noop("日付（和暦・西暦）"),
    gettext_noop("整数"),
    gettext_noop("選択（ラジオボタン）"),
    gettext_noop("選択（リスト）"),
    gettext_noop("複数選択（チェックボックス）"),
    gettext_noop("確認・同意（チェック）"),
    gettext_noop("添付ファイル"),
    gettext_noop("説明文（入力なし）"),
)


def _type_label(kind: str) -> Any:
    from django.utils.translation import gettext

    return lazy(lambda: gettext(formdef.FIELD_TYPES[kind]), str)()


class ConditionRowBlock(blocks.StructBlock):
    field = blocks.CharBlock(
        label=_("項目の識別名"),
        required=False,
        max_length=60,
        help_text=_("この項目より前（または同じ段階）の項目"),
    )
    operator = blocks.ChoiceBlock(label=_("比べ方"), choices=OPERATOR_CHOICES, default=EQUALS)
    value = blocks.CharBlock(label=_("値"), required=False, max_length=200, help_text=_("選択肢の値、はい＝true"))

    class Meta:
        label = _("条件")
        icon = "list-ul"


class ConditionBlock(blocks.StructBlock):
    """A condition as rows; `advanced` keeps a condition the rows cannot express."""

    match = blocks.ChoiceBlock(label=_("条件の組み合わせ"), choices=MATCH_CHOICES, default="all")
    rows = blocks.ListBlock(ConditionRowBlock(), label=_("条件"), default=[], min_num=0)
    advanced = blocks.CharBlock(
        label=_("複雑な条件（取り込んだもの）"),
        required=False,
        max_length=2000,
        help_text=_("編集画面で表せない条件です。消すと条件がなくなります。"),
    )

    class Meta:
        icon = "help"
        collapsed = True


def _common_children(kind: str) -> list[tuple[str, blocks.Block]]:
    children: list[tuple[str, blocks.Block]] = [
        ("key", blocks.CharBlock(label=_("識別名"), required=False, max_length=60)),
    ]
    if kind == "notice":
        children += [
            ("label_ja", blocks.TextBlock(label=_("説明文"), required=False, rows=3)),
            ("label_en", blocks.TextBlock(label=_("説明文（英語）"), required=False, rows=3)),
            ("show_if", ConditionBlock(label=_("表示する条件"), required=False)),
        ]
        return children
    children += [
        ("label_ja", blocks.CharBlock(label=_("項目名"), required=False, max_length=200)),
        ("label_en", blocks.CharBlock(label=_("項目名（英語）"), required=False, max_length=200)),
        ("help_ja", blocks.CharBlock(label=_("説明"), required=False, max_length=500)),
        ("help_en", blocks.CharBlock(label=_("説明（英語）"), required=False, max_length=500)),
        ("required", blocks.BooleanBlock(label=_("必須"), required=False)),
    ]
    if kind in formdef.CHOICE_TYPES:
        children.append(("options", blocks.ListBlock(OptionBlock(), label=_("選択肢"), min_num=0)))
    if kind == "integer":
        children += [
            ("min", blocks.IntegerBlock(label=_("最小値"), required=False)),
            ("max", blocks.IntegerBlock(label=_("最大値"), required=False)),
        ]
    if kind in TEXT_WITH_LENGTH:
        children.append(("max_length", blocks.IntegerBlock(label=_("最大文字数"), required=False)))
    if kind == "file":
        children += [
            (
                "accept",
                blocks.MultipleChoiceBlock(
                    label=_("受け付けるファイルの種類"), choices=ACCEPT_CHOICES, default=["pdf", "jpeg", "png"]
                ),
            ),
            (
                "max_size_mb",
                blocks.IntegerBlock(label=_("大きさの上限（MB）"), required=False, default=10),
            ),
        ]
    if kind == "postal_code":
        children.append(
            (
                "address_field",
                blocks.CharBlock(
                    label=_("自動入力する住所の項目"),
                    required=False,
                    max_length=60,
                    help_text=_("郵便番号から住所を入れる項目の識別名"),
                ),
            )
        )
    children += [
        ("shared", blocks.CharBlock(label=_("共通回答のキー（ライフイベント）"), required=False, max_length=80)),
        ("show_if", ConditionBlock(label=_("表示する条件"), required=False)),
        ("required_if", ConditionBlock(label=_("必須にする条件"), required=False)),
    ]
    return children


class OptionBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("値"), required=False, max_length=60)
    label_ja = blocks.CharBlock(label=_("表示名"), required=False, max_length=200)
    label_en = blocks.CharBlock(label=_("表示名（英語）"), required=False, max_length=200)

    class Meta:
        label = _("選択肢")
        icon = "radio-full"


def field_block(kind: str) -> blocks.StructBlock:
    block = blocks.StructBlock(_common_children(kind), label=_type_label(kind), icon=_ICONS.get(kind, "form"))
    return block


_ICONS = {
    "text": "pilcrow",
    "textarea": "pilcrow",
    "name": "user",
    "kana": "user",
    "email": "mail",
    "phone": "mobile-alt",
    "postal_code": "site",
    "address": "site",
    "date": "date",
    "integer": "order",
    "choice": "radio-full",
    "select": "list-ul",
    "multichoice": "tick-inverse",
    "boolean": "tick",
    "file": "doc-full",
    "notice": "info-circle",
}


class StepBlock(blocks.StructBlock):
    key = blocks.CharBlock(label=_("段階の識別名"), required=False, max_length=60)
    title_ja = blocks.CharBlock(label=_("段階の題名"), required=False, max_length=200)
    title_en = blocks.CharBlock(label=_("段階の題名（英語）"), required=False, max_length=200)
    intro_ja = blocks.TextBlock(label=_("はじめの説明"), required=False, rows=2)
    intro_en = blocks.TextBlock(label=_("はじめの説明（英語）"), required=False, rows=2)
    show_if = ConditionBlock(label=_("この段階を表示する条件"), required=False)
    fields = blocks.StreamBlock(
        [(kind, field_block(kind)) for kind in formdef.FIELD_TYPES], label=_("項目"), required=False
    )

    class Meta:
        label = _("段階")
        icon = "list-ol"


class FeeLineBlock(blocks.StructBlock):
    label_ja = blocks.CharBlock(label=_("手数料の名前"), required=False, max_length=200)
    label_en = blocks.CharBlock(label=_("手数料の名前（英語）"), required=False, max_length=200)
    amount = blocks.IntegerBlock(label=_("金額（円）"), required=False)
    quantity_field = blocks.CharBlock(
        label=_("数量の項目"), required=False, max_length=60, help_text=_("通数などの整数項目の識別名（空欄なら1）")
    )
    when = ConditionBlock(label=_("この手数料がかかる条件"), required=False)

    class Meta:
        label = _("手数料")
        icon = "tag"


def steps_block() -> blocks.StreamBlock:
    return blocks.StreamBlock([("step", StepBlock())], label=_("段階と項目"), min_num=1)


def fee_block() -> blocks.StreamBlock:
    # A stream of one block type rather than a ListBlock: the console's block
    # controller needs a stream at the top of a form field.
    return blocks.StreamBlock([("line", FeeLineBlock())], label=_("手数料"), required=False)


# --- Conversion -------------------------------------------------------------------------


def _text(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        return value, ""
    if isinstance(value, Mapping):
        return str(value.get("ja") or ""), str(value.get("en") or "")
    return "", ""


def _bilingual(ja: Any, en: Any) -> dict[str, str]:
    out = {}
    if ja:
        out["ja"] = str(ja).strip()
    if en:
        out["en"] = str(en).strip()
    return out


def _row(condition: Mapping[str, Any]) -> dict[str, Any] | None:
    """A leaf condition as a row, or None when it is not one."""
    if "not" in condition:
        inner = condition["not"]
        if isinstance(inner, Mapping) and set(inner) == {"field", "equals"}:
            return {"field": inner["field"], "operator": NOT_EQUALS, "value": _as_text(inner["equals"])}
        if isinstance(inner, Mapping) and set(inner) == {"field", "filled"}:
            return {"field": inner["field"], "operator": EMPTY if inner["filled"] else FILLED, "value": ""}
        return None
    if "field" not in condition:
        return None
    field = str(condition["field"])
    for op in (EQUALS, NOT_EQUALS, CONTAINS):
        if op in condition:
            return {"field": field, "operator": op, "value": _as_text(condition[op])}
    if IN in condition and isinstance(condition[IN], list):
        return {"field": field, "operator": IN, "value": ",".join(_as_text(v) for v in condition[IN])}
    if FILLED in condition:
        return {"field": field, "operator": FILLED if condition[FILLED] else EMPTY, "value": ""}
    return None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def condition_to_block(condition: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {"match": "all", "rows": [], "advanced": ""}
    if not isinstance(condition, Mapping):
        return empty
    for match in ("all", "any"):
        if match in condition and isinstance(condition[match], list):
            rows = [_row(c) if isinstance(c, Mapping) else None for c in condition[match]]
            if all(r is not None for r in rows):
                return {"match": match, "rows": rows, "advanced": ""}
            return {**empty, "advanced": json.dumps(condition, ensure_ascii=False)}
    row = _row(condition)
    if row is not None:
        return {"match": "all", "rows": [row], "advanced": ""}
    return {**empty, "advanced": json.dumps(condition, ensure_ascii=False)}


def _typed(value: str) -> Any:
    # "true"/"false" for check boxes; everything else compares as text (formdef._same).
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return value.strip()


def block_to_condition(value: Any) -> Any:
    """A ConditionBlock value (dict) as a formdef condition, or None when empty."""
    if not value:
        return None
    advanced = str(value.get("advanced") or "").strip()
    if advanced:
        try:
            return json.loads(advanced)
        except ValueError:
            return {"field": "", "equals": advanced}  # parse() reports it
    rows: list[dict[str, Any]] = []
    for row in _items(value.get("rows")):
        field = str(row.get("field") or "").strip()
        operator = row.get("operator") or EQUALS
        text = str(row.get("value") or "")
        if not field and not text.strip():
            continue
        if operator == IN:
            rows.append({"field": field, IN: [_typed(v) for v in text.split(",") if v.strip()]})
        elif operator == FILLED:
            rows.append({"field": field, FILLED: True})
        elif operator == EMPTY:
            rows.append({"field": field, FILLED: False})
        else:
            rows.append({"field": field, operator: _typed(text)})
    if not rows:
        return None
    if len(rows) == 1:
        return rows[0]
    return {value.get("match") or "all": rows}


def _items(value: Any) -> list[Any]:
    """The items of a ListBlock value: plain values, or Wagtail's {"type": "item",
    "value": …} form."""
    out = []
    for item in value or []:
        if isinstance(item, Mapping) and item.get("type") == "item" and "value" in item:
            out.append(item["value"])
        else:
            out.append(item)
    return out


def field_to_block(raw: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(raw.get("type") or "text")
    label_ja, label_en = _text(raw.get("label"))
    value: dict[str, Any] = {"key": raw.get("key", ""), "label_ja": label_ja, "label_en": label_en}
    value["show_if"] = condition_to_block(raw.get("show_if"))
    if kind == "notice":
        return value
    help_ja, help_en = _text(raw.get("help"))
    value.update(
        help_ja=help_ja,
        help_en=help_en,
        required=bool(raw.get("required")),
        shared=raw.get("shared", ""),
        required_if=condition_to_block(raw.get("required_if")),
    )
    if kind in formdef.CHOICE_TYPES:
        options = []
        for option in raw.get("options") or []:
            if isinstance(option, Mapping):
                ja, en = _text(option.get("label"))
                options.append({"value": str(option.get("value", "")), "label_ja": ja, "label_en": en})
        value["options"] = options
    if kind == "integer":
        value.update(min=raw.get("min"), max=raw.get("max"))
    if kind in TEXT_WITH_LENGTH:
        value["max_length"] = raw.get("max_length")
    if kind == "file":
        value.update(accept=list(raw.get("accept") or formdef.DEFAULT_ACCEPT), max_size_mb=raw.get("max_size_mb") or 10)
    if kind == "postal_code":
        value["address_field"] = raw.get("address_field", "")
    return value


def block_to_field(kind: str, value: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"key": str(value.get("key") or "").strip(), "type": kind}
    out["label"] = _bilingual(value.get("label_ja"), value.get("label_en"))
    if kind != "notice":
        help_text = _bilingual(value.get("help_ja"), value.get("help_en"))
        if help_text:
            out["help"] = help_text
        if value.get("required"):
            out["required"] = True
    for name in ("show_if", "required_if"):
        condition = block_to_condition(value.get(name))
        if condition is not None:
            out[name] = condition
    if value.get("shared"):
        out["shared"] = str(value["shared"]).strip()
    if kind in formdef.CHOICE_TYPES:
        out["options"] = [
            {"value": str(o.get("value") or "").strip(), "label": _bilingual(o.get("label_ja"), o.get("label_en"))}
            for o in _items(value.get("options"))
        ]
    for name in ("min", "max", "max_length"):
        if value.get(name) is not None and value.get(name) != "":
            out[name] = int(value[name])
    if kind == "file":
        out["accept"] = list(value.get("accept") or formdef.DEFAULT_ACCEPT)
        if value.get("max_size_mb") is not None:
            out["max_size_mb"] = int(value["max_size_mb"])
    if kind == "postal_code" and value.get("address_field"):
        out["address_field"] = str(value["address_field"]).strip()
    return out


def definition_to_blocks(definition: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The raw (JSON) values of the steps StreamBlock and of the fee ListBlock."""
    steps = []
    for raw_step in definition.get("steps") or []:
        if not isinstance(raw_step, Mapping):
            continue
        title_ja, title_en = _text(raw_step.get("title"))
        intro_ja, intro_en = _text(raw_step.get("intro"))
        fields = [
            {"type": f.get("type"), "value": field_to_block(f)}
            for f in raw_step.get("fields") or []
            if isinstance(f, Mapping) and f.get("type") in formdef.FIELD_TYPES
        ]
        steps.append(
            {
                "type": "step",
                "value": {
                    "key": raw_step.get("key", ""),
                    "title_ja": title_ja,
                    "title_en": title_en,
                    "intro_ja": intro_ja,
                    "intro_en": intro_en,
                    "show_if": condition_to_block(raw_step.get("show_if")),
                    "fields": fields,
                },
            }
        )
    fee = []
    raw_fee = definition.get("fee") or {}
    for line in raw_fee.get("lines", []) if isinstance(raw_fee, Mapping) else []:
        label_ja, label_en = _text(line.get("label"))
        fee.append(
            {
                "type": "line",
                "value": {
                    "label_ja": label_ja,
                    "label_en": label_en,
                    "amount": line.get("amount", 0),
                    "quantity_field": line.get("quantity_field", ""),
                    "when": condition_to_block(line.get("when")),
                },
            }
        )
    return steps, fee


def blocks_to_definition(
    steps: Iterable[Mapping[str, Any]],
    fee: Iterable[Any],
    *,
    name_field: str = "",
    email_field: str = "",
) -> dict[str, Any]:
    """A formdef definition from the prep values (JSON) of the steps and fee blocks."""
    out_steps = []
    for step in steps:
        value = step.get("value") or {}
        out_step: dict[str, Any] = {
            "key": str(value.get("key") or "").strip(),
            "title": _bilingual(value.get("title_ja"), value.get("title_en")),
        }
        intro = _bilingual(value.get("intro_ja"), value.get("intro_en"))
        if intro:
            out_step["intro"] = intro
        condition = block_to_condition(value.get("show_if"))
        if condition is not None:
            out_step["show_if"] = condition
        out_step["fields"] = [
            block_to_field(str(child.get("type")), child.get("value") or {}) for child in value.get("fields") or []
        ]
        out_steps.append(out_step)
    definition: dict[str, Any] = {"format": formdef.FORMAT, "steps": out_steps}
    lines = []
    for item in fee:
        line = item.get("value") or {}
        out_line: dict[str, Any] = {
            "label": _bilingual(line.get("label_ja"), line.get("label_en")),
            "amount": line.get("amount") if line.get("amount") is not None else -1,
        }
        if line.get("quantity_field"):
            out_line["quantity_field"] = str(line["quantity_field"]).strip()
        condition = block_to_condition(line.get("when"))
        if condition is not None:
            out_line["when"] = condition
        lines.append(out_line)
    if lines:
        definition["fee"] = {"lines": lines}
    applicant = {}
    if name_field:
        applicant["name_field"] = name_field
    if email_field:
        applicant["email_field"] = email_field
    if applicant:
        definition["applicant"] = applicant
    return definition
