"""様式 (form) screens of a procedure in the staff console: the versions, the structured
editor of the draft with a live preview, publishing, and a read-only view of any
version.

The editor is a plain Django form of Wagtail blocks (`editor_blocks`): steps, fields,
options, conditions and fee lines are edited with form widgets, never as JSON. Saving
checks the definition (`formdef.parse`) and lists every problem with its place in the
form; nothing typed is lost. The preview panel shows the form as residents will see it
(rendered by `formbuild`): the editor posts to the preview endpoint as staff edit and
the panel's iframe reloads (editor_preview.js); without JavaScript the プレビュー button
does the same through the page.
"""

from __future__ import annotations

import re
from typing import Any

from csp.constants import SELF
from csp.decorators import csp_replace
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.blocks import BlockField

from madoguchi.core.staff_views import check, console_municipality

from .. import formbuild, formdef, permissions
from ..models import FormVersion, Procedure
from ..services import catalog
from ..services import forms as form_services
from ..services.common import ProcedureError
from . import editor_blocks

PREVIEW_SESSION_KEY = "procedures-form-preview"
SAVE, PREVIEW, PUBLISH = "save", "preview", "publish"


def managed_procedure(request: HttpRequest, pk: int) -> Procedure:
    """The procedure of the URL, when the staff member may manage it (404 for another
    municipality's: the console's scope does not even find it)."""
    check(request, permissions.MANAGE_PROCEDURES)
    municipality = console_municipality(request)
    procedure = get_object_or_404(Procedure.objects.select_related("department"), pk=pk, municipality=municipality)
    if not catalog.may_manage(request.user, procedure):
        raise PermissionDenied
    return procedure


class EditorForm(forms.Form):
    steps = BlockField(block=editor_blocks.steps_block(), label=gettext_lazy("段階と項目"))
    fee = BlockField(block=editor_blocks.fee_block(), label=gettext_lazy("手数料"), required=False)
    name_field = forms.CharField(
        label=gettext_lazy("申請者の氏名の項目"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("申請者の氏名を入れる項目の識別名（受付一覧に表示します）"),
    )
    email_field = forms.CharField(
        label=gettext_lazy("連絡先メールアドレスの項目"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("状況をお知らせするメールアドレスの項目の識別名"),
    )
    change_note = forms.CharField(
        label=gettext_lazy("変更内容（公開するとき）"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("例：「使用目的」に選択肢を追加"),
    )

    def __init__(self, *args: Any, definition: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if definition is not None and "initial" not in kwargs:
            steps, fee = editor_blocks.definition_to_blocks(definition)
            applicant = definition.get("applicant") or {}
            kwargs["initial"] = {
                "steps": editor_blocks.steps_block().to_python(steps),
                "fee": editor_blocks.fee_block().to_python(fee),
                "name_field": applicant.get("name_field", ""),
                "email_field": applicant.get("email_field", ""),
            }
        super().__init__(*args, **kwargs)

    def definition(self) -> dict[str, Any]:
        """The definition the (valid) form describes."""
        steps_field = self.fields["steps"]
        fee_field = self.fields["fee"]
        assert isinstance(steps_field, BlockField)
        assert isinstance(fee_field, BlockField)
        steps = steps_field.block.get_prep_value(self.cleaned_data["steps"])
        fee = fee_field.block.get_prep_value(self.cleaned_data.get("fee") or [])
        return editor_blocks.blocks_to_definition(
            steps,
            fee,
            name_field=self.cleaned_data.get("name_field", "").strip(),
            email_field=self.cleaned_data.get("email_field", "").strip(),
        )


_PATH_PART = re.compile(r"(\w+)\[(\d+)\]")


def describe_path(path: str, definition: dict[str, Any]) -> str:
    """A place in a definition as staff read it: steps[1].fields[2].label →
    段階2「請求の内容」 › 項目3「通数」 › label."""
    names = []
    node: Any = definition
    rest = path
    for match in _PATH_PART.finditer(path):
        kind, index = match.group(1), int(match.group(2))
        try:
            node = node[kind][index]
        except (KeyError, IndexError, TypeError):
            break
        title = formdef.localized(node.get("title") or node.get("label")) if isinstance(node, dict) else ""
        place = PLACES.get(kind)
        number = str(place % {"number": index + 1}) if place else f"{kind}{index + 1}"
        names.append(number + (f"「{title}」" if title else ""))
        rest = path[match.end() :]
    tail = rest.lstrip(".")
    if tail:
        names.append(str(FIELD_NAMES.get(tail.split(".")[0], tail)))
    return " › ".join(names) or _("様式")


PLACES: dict[str, Any] = {
    "steps": gettext_lazy("段階%(number)s"),
    "fields": gettext_lazy("項目%(number)s"),
    "options": gettext_lazy("選択肢%(number)s"),
    "lines": gettext_lazy("手数料%(number)s"),
}
FIELD_NAMES: dict[str, Any] = {
    "key": gettext_lazy("識別名"),
    "title": gettext_lazy("題名"),
    "label": gettext_lazy("項目名"),
    "help": gettext_lazy("説明"),
    "type": gettext_lazy("種類"),
    "show_if": gettext_lazy("表示する条件"),
    "required_if": gettext_lazy("必須にする条件"),
    "options": gettext_lazy("選択肢"),
    "min": gettext_lazy("最小値"),
    "max": gettext_lazy("最大値"),
    "max_length": gettext_lazy("最大文字数"),
    "accept": gettext_lazy("ファイルの種類"),
    "max_size_mb": gettext_lazy("大きさの上限"),
    "address_field": gettext_lazy("自動入力する住所の項目"),
    "amount": gettext_lazy("金額"),
    "quantity_field": gettext_lazy("数量の項目"),
    "when": gettext_lazy("条件"),
    "name_field": gettext_lazy("申請者の氏名の項目"),
    "email_field": gettext_lazy("連絡先メールアドレスの項目"),
    "fee": gettext_lazy("手数料"),
}


def problems_of(definition: dict[str, Any]) -> list[str]:
    """Every problem of a definition, each with its place; [] when it can be used."""
    try:
        formdef.parse(definition)
    except formdef.FormDefinitionError as error:
        return [f"{describe_path(path, definition)}：{message}" for path, message in error.problems]
    return []


class ProcedureScreenMixin(WagtailAdminTemplateMixin):
    header_icon = "form"
    procedure: Procedure

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.procedure = managed_procedure(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_page_subtitle(self) -> str:
        return self.procedure.name

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("procedures-catalog:index"), "label": _("手続と様式")},
            {"url": reverse("procedures-catalog:edit", args=[self.procedure.pk]), "label": self.procedure.name},
            {"url": "", "label": self.get_page_title()},
        ]


class VersionsView(ProcedureScreenMixin, TemplateView):
    """様式の版: every version, the draft on top."""

    template_name = "procedures/staff/editor_versions.html"

    def get_page_title(self) -> str:
        return _("様式の版")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        all_versions = form_services.versions(self.procedure)
        current = next((v for v in all_versions if not v.is_draft), None)
        context.update(
            procedure=self.procedure,
            versions=all_versions,
            current=current,
            draft=next((v for v in all_versions if v.is_draft), None),
        )
        return context


class StartDraftView(ProcedureScreenMixin, TemplateView):
    """POST: start the draft of the next version (a copy of the current one)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The editor's heading names the draft's version: no message needed there.
        form_services.draft_version(self.procedure, request.user, request=request)
        return HttpResponseRedirect(reverse("procedures-catalog:form_edit", args=[self.procedure.pk]))


class EditorView(ProcedureScreenMixin, TemplateView):
    """The structured editor of the draft, with its preview."""

    template_name = "procedures/staff/editor_edit.html"
    draft: FormVersion

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.procedure = managed_procedure(request, kwargs["pk"])
        draft = form_services.current_draft(self.procedure)
        if draft is None:
            messages.warning(request, _("編集できる下書きがありません。「新しい版の下書きを作る」を押してください。"))
            return HttpResponseRedirect(reverse("procedures-catalog:form", args=[self.procedure.pk]))
        self.draft = draft
        return super(ProcedureScreenMixin, self).dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("第%(number)s版（下書き）の編集") % {"number": self.draft.number}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _forget_preview(request, self.procedure)
        form = EditorForm(definition=self.draft.definition)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = EditorForm(request.POST)
        action = request.POST.get("action", SAVE)
        problems: list[str] = []
        if not form.is_valid():
            problems = [_("入力内容に誤りがあります。赤く示された箇所を直してください。")]
            return self.render_to_response(self.get_context_data(form=form, problems=problems), status=400)
        definition = form.definition()
        problems = problems_of(definition)
        if problems:
            return self.render_to_response(self.get_context_data(form=form, problems=problems), status=400)
        if action == PREVIEW:
            _remember_preview(request, self.procedure, definition)
            return self.render_to_response(self.get_context_data(form=form, previewed=True))
        try:
            form_services.save_draft(self.draft, definition, request.user, request=request)
            if action == PUBLISH:
                version = form_services.publish(
                    self.draft, request.user, form.cleaned_data.get("change_note", ""), request=request
                )
                messages.success(request, _("第%(number)s版を公開しました。") % {"number": version.number})
                return HttpResponseRedirect(reverse("procedures-catalog:form", args=[self.procedure.pk]))
        except ProcedureError as error:
            problems = [str(m) for m in error.messages]
            return self.render_to_response(self.get_context_data(form=form, problems=problems), status=400)
        messages.success(request, _("下書きを保存しました。"))
        return HttpResponseRedirect(reverse("procedures-catalog:form_edit", args=[self.procedure.pk]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form: EditorForm = context["form"]
        preview_url = reverse("procedures-catalog:form_preview", args=[self.procedure.pk])
        context.update(
            procedure=self.procedure,
            draft=self.draft,
            media=form.media,
            preview_url=preview_url,
            preview_frame_url=f"{preview_url}?draft=1" + ("&shown=1" if context.get("previewed") else ""),
            field_types=[(key, _(label)) for key, label in formdef.FIELD_TYPES.items()],
        )
        return context


class VersionView(ProcedureScreenMixin, TemplateView):
    """A version as it is (read-only): its steps and fields, and its preview."""

    template_name = "procedures/staff/editor_version.html"

    def get_page_title(self) -> str:
        return _("第%(number)s版") % {"number": self.kwargs["number"]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = next((v for v in form_services.versions(self.procedure) if v.number == self.kwargs["number"]), None)
        if version is None:
            raise Http404
        definition = formdef.parse(version.definition)
        rows = []
        for step in definition.steps:
            fields = []
            for f in step.fields:
                fields.append(
                    {
                        "field": f,
                        "type": _(formdef.FIELD_TYPES[f.type]),
                        "show_if": formbuild.describe_condition(f.show_if, definition),
                        "required_if": formbuild.describe_condition(f.required_if, definition),
                    }
                )
            rows.append({"step": step, "fields": fields})
        preview_url = reverse("procedures-catalog:form_preview", args=[self.procedure.pk])
        context.update(
            procedure=self.procedure,
            version=version,
            steps=rows,
            fee_lines=definition.fee_lines,
            preview_frame_url=f"{preview_url}?version={version.number}",
        )
        return context


# --- Preview ----------------------------------------------------------------------------


def _remember_preview(request: HttpRequest, procedure: Procedure, definition: dict[str, Any]) -> None:
    previews = dict(request.session.get(PREVIEW_SESSION_KEY) or {})
    previews[str(procedure.pk)] = definition
    request.session[PREVIEW_SESSION_KEY] = previews


def _forget_preview(request: HttpRequest, procedure: Procedure) -> None:
    previews = dict(request.session.get(PREVIEW_SESSION_KEY) or {})
    if previews.pop(str(procedure.pk), None) is not None:
        request.session[PREVIEW_SESSION_KEY] = previews


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})  # type: ignore[arg-type]
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """POST (from the editor's script): check the editor's form and keep its definition
    for the preview; JSON with the preview's address or the problems.
    GET: the preview page (in the editor's iframe): the definition last posted, else the
    draft; `?version=N` a version."""
    procedure = managed_procedure(request, pk)
    if request.method == "POST":
        form = EditorForm(request.POST)
        if not form.is_valid():
            return JsonResponse(
                {"ok": False, "problems": [_("入力内容に誤りがあります。赤く示された箇所を直してください。")]}
            )
        definition = form.definition()
        problems = problems_of(definition)
        if problems:
            return JsonResponse({"ok": False, "problems": problems})
        _remember_preview(request, procedure, definition)
        counter = int(request.session.get(PREVIEW_SESSION_KEY + "-n", 0)) + 1
        request.session[PREVIEW_SESSION_KEY + "-n"] = counter
        return JsonResponse({"ok": True, "url": f"{request.path}?draft=1&shown={counter}"})
    raw: dict[str, Any] | None = None
    number = request.GET.get("version", "")
    if number.isdigit():
        version = next((v for v in form_services.versions(procedure) if v.number == int(number)), None)
        if version is None:
            raise Http404
        raw = version.definition
    else:
        raw = (request.session.get(PREVIEW_SESSION_KEY) or {}).get(str(procedure.pk))
        if raw is None:
            draft = form_services.current_draft(procedure)
            current = draft or form_services.version_of(procedure)
            raw = current.definition if current else None
    language = request.GET.get("lang", "")
    if language not in ("ja", "en"):
        language = translation.get_language() or "ja"
    with translation.override(language):
        context: dict[str, Any] = {"procedure": procedure, "language": language, "problems": []}
        if raw is None:
            context["problems"] = [_("様式がまだありません。")]
        else:
            try:
                parsed = formdef.parse(raw)
            except formdef.FormDefinitionError:
                context["problems"] = problems_of(raw)
            else:
                context["steps"] = formbuild.preview_step_forms(parsed)
                context["fee_lines"] = parsed.fee_lines
        links = []
        for code, name in (("ja", "日本語"), ("en", "English")):
            query = request.GET.copy()
            query["lang"] = code
            links.append((code, name, f"{request.path}?{query.urlencode()}"))
        context["language_links"] = links
        return render(request, "procedures/staff/editor_preview.html", context)
