"""APIトークン in the staff console: the municipality's administrators list, issue and
revoke the tokens of their integrations. Issuing and revoking are audited (services).

A new token is shown once, in the answer to the form that issued it, never stored
and never sent again. The form carries a one-time key, so that sending it twice (a
reload, a double click) issues one token, not two.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.core.staff_views import check, console_municipality, permission_menu_item

from . import services
from .models import ApiToken
from .permissions import MANAGE_TOKENS

ISSUE_KEYS_SESSION_KEY = "api_token_issue_keys"
ISSUE_KEYS_KEPT = 20


class AccountChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} <{obj.email}>" if name else obj.email


class IssueTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=100,
        help_text=gettext_lazy("何の連携に使うトークンか（例：税務システム連携）"),
    )
    user = AccountChoiceField(
        label=gettext_lazy("利用するアカウント"),
        queryset=User.objects.none(),
        help_text=gettext_lazy(
            "トークンはこの職員アカウントの役割の範囲で動作します。連携専用のアカウントを作って選ぶことをお勧めします。"
        ),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("有効期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("この日の終わりまで有効。空欄なら失効させるまで有効です。"),
    )
    issue_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.eligible_accounts(municipality)  # type: ignore[attr-defined]

    def clean_expires_on(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("有効期限には今日以降の日付を指定してください。"))
        return value

    def expires_at(self) -> datetime.datetime | None:
        value = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time.min))


class TokenConsoleMixin(WagtailAdminTemplateMixin):
    header_icon = "key"
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check(request, MANAGE_TOKENS)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]

    def get_page_title(self) -> str:
        return _("APIトークン")

    def get_page_subtitle(self) -> str:
        return self.municipality.name

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        items = [*self.breadcrumbs_items, {"url": reverse("api_tokens:index"), "label": _("APIトークン")}]
        title = self.get_page_title()
        if title != _("APIトークン"):
            items.append({"url": "", "label": title})
        return items


class TokenIndexView(TokenConsoleMixin, TemplateView):
    template_name = "api/staff/token_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tokens"] = services.tokens_of(self.municipality)
        context["schema_url"] = reverse("api-schema")
        return context


class TokenIssueView(TokenConsoleMixin, FormView[IssueTokenForm]):
    template_name = "api/staff/token_issue.html"
    form_class = IssueTokenForm

    def get_page_title(self) -> str:
        return _("APIトークンの発行")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["municipality"] = self.municipality
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"issue_key": secrets.token_urlsafe(16)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            submit_button_label=_("発行する"),
            submit_button_active_label=_("発行しています…"),
        )
        return context

    def form_valid(self, form: IssueTokenForm) -> HttpResponse:
        used: list[str] = self.request.session.get(ISSUE_KEYS_SESSION_KEY, [])
        key = form.cleaned_data["issue_key"]
        if key in used:
            messages.warning(
                self.request, _("このフォームからはすでに発行しました。発行したトークンは二度と表示できません。")
            )
            return HttpResponseRedirect(reverse("api_tokens:index"))
        try:
            token, raw = services.issue_token(
                municipality=self.municipality,
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                actor=self.request.user,  # type: ignore[arg-type]
                request=self.request,
            )
        except services.TokenError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        self.request.session[ISSUE_KEYS_SESSION_KEY] = [*used, key][-ISSUE_KEYS_KEPT:]
        response = render(
            self.request,
            "api/staff/token_issued.html",
            {**self.get_context_data(form=form), "token": token, "raw_token": raw, "schema_url": reverse("api-schema")},
        )
        # The secret is in this page only: no cache, no back-button copy.
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(TokenConsoleMixin, TemplateView):
    template_name = "api/staff/token_revoke.html"

    def get_page_title(self) -> str:
        return _("APIトークンの失効")

    def get_token(self) -> ApiToken:
        # Only this municipality's tokens: another's is "not found", not "forbidden".
        token = services.tokens_of(self.municipality).filter(pk=self.kwargs["pk"]).first()
        if token is None:
            raise Http404
        return token

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["token"] = self.get_token()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self.get_token()
        if services.revoke_token(token, actor=request.user, request=request):  # type: ignore[arg-type]
            messages.success(request, _("「%(name)s」を失効させました。") % {"name": token.name})
        else:
            messages.info(request, _("「%(name)s」はすでに失効しています。") % {"name": token.name})
        return HttpResponseRedirect(reverse("api_tokens:index"))


class ApiTokenViewSet(ViewSet):
    name = "api_tokens"
    url_prefix = "api-tokens"
    icon = "key"
    menu_label = gettext_lazy("APIトークン")

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", TokenIndexView.as_view(), name="index"),
            path("issue/", TokenIssueView.as_view(), name="issue"),
            path("<int:pk>/revoke/", TokenRevokeView.as_view(), name="revoke"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(MANAGE_TOKENS)
