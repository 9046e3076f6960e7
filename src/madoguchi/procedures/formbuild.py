"""Django forms built from a form definition (`procedures.formdef`).

`build_step_form(definition, step_index, data=…, files=…, initial=…, stored=…)` is the
form of one step as residents fill it in; `build_fields_form(definition, keys, …)` holds
only the named fields (the applicant's answer to a correction request). Both return a
`DefinitionForm`:

- fields are the Japanese toolkit fields (`madoguchi.japanese.forms`): names, furigana,
  e-mail, telephone, the postal code that fills its address field, 和暦 dates …
- conditions (`show_if`, `required_if`) that name only fields outside the form are decided
  when the form is built, from `stored` (all stored values of the submission): a hidden
  field is left out, a field whose condition requires it is required;
- conditions that name fields of the same form are written on the field's wrapper as
  `data-show-if` / `data-required-if` (JSON, with the html names of the fields), so that
  `procedures/conditions.js` shows and hides them as the applicant answers; without
  JavaScript the field is shown with a hint saying when it applies, and `clean()`
  decides with the submitted values;
- `cleaned_values()` returns the values in the stored format of formdef (ISO dates, ints,
  lists, bools, strings) and `uploaded_files()` the uploaded files by field key (their
  content is checked by the applying part, not here).

Render a form with ``{{ form }}`` (template `procedures/forms/definition_form.html`),
with ``{{ form.media }}`` in the page head.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from madoguchi.japanese import forms as jp

from . import formdef
from .formdef import Field, FormDefinition

#: Length limits of text types when the definition gives none.
DEFAULT_MAX_LENGTH = {"textarea": 2000, "address": 200, "name": 100, "kana": 100}
TEXT_MAX_LENGTH = 200
AUTOCOMPLETE = {"name": "name", "email": "email", "phone": "tel", "address": "street-address"}


class NoticeWidget(forms.Widget):
    """A notice (説明文) of the form: text, no input."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        return format_html('<p class="procedure-notice">{}</p>', self.attrs.get("text", ""))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return None


class NoticeField(forms.Field):
    widget = NoticeWidget
    is_notice = True

    def __init__(self, text: str, **kwargs: Any) -> None:
        kwargs.update(required=False, label="", widget=NoticeWidget(attrs={"text": text}))
        super().__init__(**kwargs)


def _choices(f: Field) -> list[tuple[str, str]]:
    return [(o.value, o.text) for o in f.options]


def _messages(f: Field) -> dict[str, str]:
    if f.type in ("choice", "select", "multichoice"):
        required = _("「%(label)s」を選んでください。")
    elif f.type == "boolean":
        required = _("「%(label)s」を確認のうえ、チェックしてください。")
    elif f.type == "file":
        required = _("「%(label)s」のファイルを選んでください。")
    else:
        required = _("「%(label)s」を入力してください。")
    messages = {"required": required % {"label": f.text}}
    if f.type == "integer":
        messages["invalid"] = _("「%(label)s」は半角または全角の数字で入力してください。") % {"label": f.text}
        messages["min_value"] = _("%(limit_value)s以上の数を入力してください。")
        messages["max_value"] = _("%(limit_value)s以下の数を入力してください。")
    if f.type in ("choice", "select", "multichoice"):
        messages["invalid_choice"] = _("選択肢の中から選んでください。")
    if f.type in formdef.TEXT_TYPES:
        messages["max_length"] = _("%(limit_value)d文字以内で入力してください（現在%(show_value)d文字）。")
    if f.type == "file":
        messages["empty"] = _("ファイルが空です。別のファイルを選んでください。")
        messages["invalid"] = _("ファイルを送信できませんでした。もう一度選んでください。")
    return messages


def make_field(f: Field, *, required: bool, form_keys: Iterable[str] = ()) -> forms.Field:
    """The Django form field of a definition field (its label and help text in the
    current language)."""
    # Help texts are rendered unescaped by the field templates: staff wrote them.
    common: dict[str, Any] = {"label": f.text, "required": required, "help_text": conditional_escape(f.help_text)}
    if f.type == "notice":
        return NoticeField(f.text)
    common["error_messages"] = _messages(f)
    max_length = f.max_length or DEFAULT_MAX_LENGTH.get(f.type, TEXT_MAX_LENGTH)
    field: forms.Field
    if f.type == "text":
        field = forms.CharField(max_length=max_length, **common)
    elif f.type == "textarea":
        field = forms.CharField(max_length=max_length, widget=forms.Textarea(attrs={"rows": 4}), **common)
    elif f.type == "name":
        field = jp.NameField(max_length=max_length, **common)
    elif f.type == "kana":
        field = jp.KatakanaField(max_length=max_length, **common)
    elif f.type == "email":
        field = jp.NormalizedEmailField(max_length=254, **common)
    elif f.type == "phone":
        field = jp.JapanesePhoneField(**common)
    elif f.type == "postal_code":
        fills = {"address": f.address_field} if f.address_field and f.address_field in form_keys else {}
        if not f.help_text:
            common.pop("help_text")
        field = jp.PostalCodeField(autofill=fills, must_exist=False, **common)
    elif f.type == "address":
        field = jp.AddressField(max_length=max_length, **common)
    elif f.type == "date":
        field = jp.WarekiDateField(**common)
    elif f.type == "integer":
        field = forms.IntegerField(
            min_value=f.min,
            max_value=f.max,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "6", "autocomplete": "off"}),
            **common,
        )
    elif f.type == "choice":
        field = forms.ChoiceField(choices=_choices(f), widget=forms.RadioSelect, **common)
    elif f.type == "select":
        field = forms.ChoiceField(choices=[("", _("選択してください")), *_choices(f)], **common)
    elif f.type == "multichoice":
        field = forms.MultipleChoiceField(choices=_choices(f), widget=forms.CheckboxSelectMultiple, **common)
    elif f.type == "boolean":
        field = forms.BooleanField(**common)
    elif f.type == "file":
        # `accept` only helps the file picker; the applying part checks the content.
        accept = ",".join(formdef.FILE_KINDS[a] for a in f.accept if a in formdef.FILE_KINDS)
        field = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": accept}), **common)
    else:  # parse() refuses other types
        raise ValueError(f.type)
    if f.type in AUTOCOMPLETE:
        field.widget.attrs.setdefault("autocomplete", AUTOCOMPLETE[f.type])
    return field


# --- Conditions -----------------------------------------------------------------------

TRUE: dict[str, Any] = {"all": []}
FALSE: dict[str, Any] = {"any": []}


def reduce_condition(condition: Any, outside: Mapping[str, Any], inside: set[str]) -> Any:
    """The condition with every part that names only fields outside the form decided
    from `outside` (replaced by an always-true or always-false condition), so what is
    left depends on the form's own fields only."""
    if condition is None:
        return None
    if not (formdef.condition_fields(condition) & inside):
        return TRUE if formdef.evaluate(condition, outside) else FALSE
    if "all" in condition:
        parts = [reduce_condition(c, outside, inside) for c in condition["all"]]
        if FALSE in parts:
            return FALSE
        parts = [p for p in parts if p != TRUE]
        return parts[0] if len(parts) == 1 else {"all": parts} if parts else TRUE
    if "any" in condition:
        parts = [reduce_condition(c, outside, inside) for c in condition["any"]]
        if TRUE in parts:
            return TRUE
        parts = [p for p in parts if p != FALSE]
        return parts[0] if len(parts) == 1 else {"any": parts} if parts else FALSE
    if "not" in condition:
        inner = reduce_condition(condition["not"], outside, inside)
        return FALSE if inner == TRUE else TRUE if inner == FALSE else {"not": inner}
    return dict(condition)


def rename_fields(condition: Any, names: Mapping[str, str]) -> Any:
    """The condition with field keys replaced by the html names of the inputs."""
    if not isinstance(condition, Mapping):
        return condition
    out: dict[str, Any] = {}
    for key, value in condition.items():
        if key in ("all", "any"):
            out[key] = [rename_fields(c, names) for c in value]
        elif key == "not":
            out[key] = rename_fields(value, names)
        elif key == "field":
            out[key] = names.get(str(value), str(value))
        else:
            out[key] = value
    return out


def describe_condition(condition: Any, definition: FormDefinition) -> str:
    """A condition as a sentence: 「世帯全員／一部」が「世帯の一部」の場合."""
    if not isinstance(condition, Mapping):
        return ""
    if "all" in condition:
        parts = [describe_condition(c, definition) for c in condition["all"]]
        return _("、かつ").join(p for p in parts if p)
    if "any" in condition:
        parts = [describe_condition(c, definition) for c in condition["any"]]
        return _("、または").join(p for p in parts if p)
    if "not" in condition:
        return _("次に当たらない場合：%(condition)s") % {"condition": describe_condition(condition["not"], definition)}
    key = str(condition.get("field", ""))
    try:
        f = definition.field(key)
    except KeyError:
        return ""
    label = f.text
    if "equals" in condition:
        return _("「%(label)s」が「%(value)s」の場合") % {"label": label, "value": _value_text(f, condition["equals"])}
    if "not_equals" in condition:
        return _("「%(label)s」が「%(value)s」以外の場合") % {
            "label": label,
            "value": _value_text(f, condition["not_equals"]),
        }
    if "in" in condition:
        values = "」「".join(_value_text(f, v) for v in condition["in"])
        return _("「%(label)s」が「%(values)s」のいずれかの場合") % {"label": label, "values": values}
    if "contains" in condition:
        return _("「%(label)s」で「%(value)s」を選んだ場合") % {
            "label": label,
            "value": _value_text(f, condition["contains"]),
        }
    if "filled" in condition:
        if condition["filled"]:
            return _("「%(label)s」を入力した場合") % {"label": label}
        return _("「%(label)s」が空欄の場合") % {"label": label}
    return ""


def _value_text(f: Field, value: Any) -> str:
    if f.type == "boolean":
        return _("はい") if formdef._same(value, True) else _("いいえ")
    return f.option_text(str(value))


# --- Values ---------------------------------------------------------------------------


def initial_value(f: Field, value: Any) -> Any:
    """A stored value as the form field's initial value."""
    if value is None:
        return None
    if f.type == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    if f.type == "file":
        return None
    return value


def stored_value(f: Field, value: Any) -> Any:
    """A cleaned form value in the stored format of formdef."""
    if f.type == "date":
        return value.isoformat() if isinstance(value, dt.date) else None
    if f.type == "integer":
        return int(value) if value is not None else None
    if f.type == "multichoice":
        return [str(v) for v in value or []]
    if f.type == "boolean":
        return bool(value)
    return "" if value is None else str(value)


class DefinitionForm(forms.Form):
    """A form of definition fields (see the module docstring)."""

    template_name = "procedures/forms/definition_form.html"
    definition: FormDefinition
    stored: dict[str, Any]
    #: Field key → the definition field, for the fields of this form (notices too).
    field_defs: dict[str, Field]
    #: Field key → conditions that depend on the form's own fields: (show_if, required_if)
    live_conditions: dict[str, tuple[Any, Any]]
    #: Keys of the fields that must be answered (when shown).
    required_keys: set[str]
    #: Field key → files already stored for it (a new upload replaces them).
    stored_files: dict[str, list[dict[str, Any]]]

    class Media:
        js = ["procedures/conditions.js"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {**self.stored, **self._values(cleaned)}
        errors = self.errors
        for key, (show_if, required_if) in self.live_conditions.items():
            if show_if is not None and not formdef.evaluate(show_if, values):
                # Not asked: nothing the applicant typed there counts, no error either.
                cleaned.pop(key, None)
                errors.pop(key, None)
                continue
            needed = key in self.required_keys or (required_if is not None and formdef.evaluate(required_if, values))
            if needed and key not in errors and formdef.is_empty(self._value_of(key, cleaned)):
                self.add_error(key, forms.ValidationError(self.fields[key].error_messages["required"], "required"))
        return cleaned

    def _value_of(self, key: str, cleaned: Mapping[str, Any]) -> Any:
        f = self.field_defs[key]
        if f.type == "file":
            return cleaned.get(key) or self.stored_files.get(key)
        return stored_value(f, cleaned.get(key)) if key in cleaned else None

    def _values(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: stored_value(f, cleaned[key])
            for key, f in self.field_defs.items()
            if f.takes_input and f.type != "file" and key in cleaned
        }

    def is_shown(self, key: str) -> bool:
        """Whether a field applies with the values of the (cleaned) form."""
        show_if = self.live_conditions.get(key, (None, None))[0]
        if show_if is None:
            return True
        values = {**self.stored, **self._values(getattr(self, "cleaned_data", {}) or {})}
        return formdef.evaluate(show_if, values)

    def cleaned_values(self) -> dict[str, Any]:
        """The values of the fields that apply, in the stored format (files apart)."""
        return {
            key: value
            for key, value in self._values(self.cleaned_data).items()
            if self.is_shown(key) and key in self.cleaned_data
        }

    def uploaded_files(self) -> dict[str, UploadedFile]:
        """Newly uploaded files by field key (fields that apply only)."""
        return {
            key: self.cleaned_data[key]
            for key, f in self.field_defs.items()
            if f.type == "file" and isinstance(self.cleaned_data.get(key), UploadedFile) and self.is_shown(key)
        }

    def field_rows(self) -> list[dict[str, Any]]:
        """What the template needs per field: the bound field, its notice text, the
        live conditions as JSON (with the inputs' html names) and stored files."""
        names = {k: self[k].html_name for k in self.fields}
        rows = []
        for key, f in self.field_defs.items():
            show_if, required_if = self.live_conditions.get(key, (None, None))
            rows.append(
                {
                    "key": key,
                    "field": self[key],
                    "notice": f.text if f.type == "notice" else "",
                    "show_if": _json(rename_fields(show_if, names)) if show_if is not None else "",
                    "required_if": _json(rename_fields(required_if, names)) if required_if is not None else "",
                    "stored_files": self.stored_files.get(key, []),
                }
            )
        return rows


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def condition_hint(f: Field, show_if: Any, required_if: Any, definition: FormDefinition) -> str:
    """The sentence that says when a field applies, for readers without JavaScript."""
    if show_if is not None:
        when = describe_condition(f.show_if, definition) or describe_condition(show_if, definition)
        if f.required:
            return _("%(when)sに入力してください（必須）。") % {"when": when}
        return _("%(when)sに入力してください。") % {"when": when}
    if required_if is not None:
        return _("%(when)sは、入力が必要です。") % {"when": describe_condition(f.required_if, definition)}
    return ""


def _build(
    definition: FormDefinition,
    chosen: list[Field],
    *,
    data: Mapping[str, Any] | None,
    files: Any,
    initial: Mapping[str, Any] | None,
    stored: Mapping[str, Any] | None,
    prefix: str,
    page_keys: set[str] | None = None,
) -> DefinitionForm:
    stored = dict(stored or {})
    initial = dict(initial if initial is not None else stored)
    # Fields whose answers are in the page (this form, or every step in a preview).
    inside = {f.key for f in chosen} | (page_keys or set())
    fields: dict[str, forms.Field] = {}
    field_defs: dict[str, Field] = {}
    live: dict[str, tuple[Any, Any]] = {}
    stored_files: dict[str, list[dict[str, Any]]] = {}
    required_keys: set[str] = set()
    for f in chosen:
        step = next(s for s in definition.steps if s.key == f.step)
        show_if: Any = f.show_if
        if step.show_if is not None:
            show_if = {"all": [step.show_if, f.show_if]} if f.show_if is not None else step.show_if
        show_if = reduce_condition(show_if, stored, inside)
        if show_if == FALSE:
            continue  # an earlier answer makes this field not apply
        if show_if == TRUE:
            show_if = None
        required_if = reduce_condition(f.required_if, stored, inside)
        required = f.required or required_if == TRUE
        if required_if in (TRUE, FALSE):
            required_if = None
        if required:
            required_keys.add(f.key)
        if f.type == "file" and initial.get(f.key):
            stored_files[f.key] = list(initial[f.key])
        has_live = show_if is not None or required_if is not None
        if has_live:
            live[f.key] = (show_if, required_if)
        # A field that may be hidden, or required only for some answers, is decided in
        # clean(): the browser must not insist on it.
        field_required = required and not has_live and f.key not in stored_files
        field = make_field(f, required=field_required, form_keys=inside)
        hint = condition_hint(f, show_if, required_if, definition) if has_live else ""
        if hint:
            marked = format_html('<span class="procedure-condition-hint">{}</span>', hint)
            field.help_text = format_html("{} {}", field.help_text, marked) if field.help_text else marked
        fields[f.key] = field
        field_defs[f.key] = f
    form_initial = {f.key: initial_value(f, initial.get(f.key)) for f in field_defs.values() if f.key in initial}
    form = DefinitionForm(data=data, files=files, initial=form_initial, prefix=prefix or None)
    form.fields = fields  # type: ignore[assignment]
    form.definition = definition
    form.stored = stored
    form.field_defs = field_defs
    form.live_conditions = live
    form.stored_files = stored_files
    form.required_keys = required_keys
    return form


def build_step_form(
    definition: FormDefinition,
    step_index: int,
    *,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
    initial: Mapping[str, Any] | None = None,
    stored: Mapping[str, Any] | None = None,
    prefix: str = "",
) -> DefinitionForm:
    """The form of step `step_index` (0-based). `initial`: the stored values to show
    (default `stored`); `stored`: every stored value of the submission, for conditions
    that name fields of earlier steps."""
    step = definition.steps[step_index]
    return _build(definition, list(step.fields), data=data, files=files, initial=initial, stored=stored, prefix=prefix)


def build_fields_form(
    definition: FormDefinition,
    keys: Iterable[str],
    *,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
    initial: Mapping[str, Any] | None = None,
    stored: Mapping[str, Any] | None = None,
    prefix: str = "",
) -> DefinitionForm:
    """A form of the named input fields only, in the definition's order (unknown keys
    are ignored)."""
    wanted = set(keys)
    chosen = [f for f in definition.fields if f.key in wanted and f.takes_input]
    return _build(definition, chosen, data=data, files=files, initial=initial, stored=stored, prefix=prefix)


def preview_step_forms(definition: FormDefinition) -> list[tuple[formdef.Step, DefinitionForm]]:
    """Every step's form for one page (the staff console's preview): conditions that
    name fields of other steps are shown live too, as nothing is stored yet."""
    every = {f.key for f in definition.fields}
    return [
        (
            step,
            _build(
                definition, list(step.fields), data=None, files=None, initial={}, stored={}, prefix="", page_keys=every
            ),
        )
        for step in definition.steps
    ]
