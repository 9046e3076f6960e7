"""The resident's own account: overview, profile, deletion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import AccountDeleteForm, ProfileForm


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", {"breadcrumbs": [(_("アカウント"), None)]})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(request.user, form.cleaned_data, request=request)  # type: ignore[arg-type]
        messages.success(request, _("登録内容を更新しました。"))
        return redirect("accounts:home")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "breadcrumbs": [(_("アカウント"), "accounts:home"), (_("登録内容の変更"), None)]},
    )


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user, request=request)  # type: ignore[arg-type]
        messages.success(request, _("アカウントを削除しました。ご利用ありがとうございました。"))
        return redirect("deployment-index")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "breadcrumbs": [(_("アカウント"), "accounts:home"), (_("アカウントの削除"), None)]},
    )
