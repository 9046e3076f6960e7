"""A person's own account: overview, profile, deletion.

Sign-up, sign-in, e-mail addresses, passwords and second factors are allauth's views
(with madoguchi's templates); these pages complete them.
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import AccountDeleteForm, ProfileForm
from .models import User


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "account": user,
        "primary_email": EmailAddress.objects.filter(user=user, primary=True).first(),
        "second_factors": sorted(
            {
                str(Authenticator.Type(a).label)
                for a in Authenticator.objects.filter(user=user).values_list("type", flat=True)
            }
        ),
        "staff_profile": user.staff_profile_or_none,
    }
    return render(request, "accounts/home.html", context)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        services.update_profile(user, form.cleaned_data, request=request)
        messages.success(request, _("登録内容を更新しました。"))
        return redirect("accounts:home")
    return render(request, "accounts/profile.html", {"form": form})


def _has_no_password(request: HttpRequest) -> bool:
    return request.user.is_authenticated and not request.user.has_usable_password()


@login_required
@reauthentication_required(allow_get=True, enabled=_has_no_password)
def account_delete(request: HttpRequest) -> HttpResponse:
    """退会. A staff account is not deleted by its holder: the municipality's
    administrator deactivates it, so that its records keep their author."""
    user: User = request.user  # type: ignore[assignment]
    if user.is_staff_account:
        return render(request, "accounts/delete_staff.html", status=403)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(user, request=request)
        except (ProtectedError, RestrictedError):
            messages.error(
                request,
                _("手続き中の申請などがあるため、アカウントを削除できません。お問い合わせ窓口にご相談ください。"),
            )
            return redirect("accounts:delete")
        logout(request)
        messages.success(request, _("アカウントを削除しました。ご利用ありがとうございました。"))
        return redirect("deployment-index")
    return render(request, "accounts/delete.html", {"form": form})
