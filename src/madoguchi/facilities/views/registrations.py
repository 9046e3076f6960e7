"""The residents' pages of 利用者登録 and 施設予約マイページ: choosing individual or group
registration, the two application forms, one registration (status, card number, limits,
contact details to change) and the my page with registrations, bookings and lottery
entries.

Only a signed-in resident sees these pages, and only their own registrations (another
person's is a 404). Every page showing a registration's personal data is an audited read;
every change goes through `services.registrations`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import get_request_municipality

from ..forms import registrations as forms
from ..models import GroupMember, Registration, RegistrationKind, RegistrationStatus
from ..services import registrations as service

S = RegistrationStatus


def _url(name: str, municipality: Municipality, **kwargs: Any) -> str:
    """A link to another part's page, or "" while that part has not registered it."""
    try:
        return reverse(f"facilities:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})
    except NoReverseMatch:
        return ""


def _detail(registration: Registration) -> str:
    return _url("registration", registration.municipality, pk=registration.pk)


def _initial_from_account(user: Any) -> dict[str, Any]:
    """What the account already knows, so the resident types it only once."""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    kana = f"{getattr(user, 'family_name_kana', '')} {getattr(user, 'given_name_kana', '')}".strip()
    email = getattr(user, "email", "")
    return {"name": name if name != email else "", "name_kana": kana, "email": email}


def _status_text(registration: Registration, today: dt.date) -> tuple[str, str]:
    status = service.shown_status(registration, today)
    return status, str(S(status).label)


@login_required
def register(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """利用者登録: what individual and group registration are, and the way to each."""
    municipality = get_request_municipality(request)
    mine = service.registrations_of(request.user, municipality)
    today = timezone.localdate()
    return render(
        request,
        "facilities/registrations/register.html",
        {
            "mine": [(r, *_status_text(r, today), _detail(r)) for r in mine],
            "min_members": service.MIN_GROUP_MEMBERS,
            "valid_years": service.VALID_YEARS,
            "breadcrumbs": [(_("施設予約マイページ"), "facilities:my"), (_("利用者登録"), None)],
        },
    )


def _apply(request: HttpRequest, kind: str) -> HttpResponse:
    municipality = get_request_municipality(request)
    is_group = kind == RegistrationKind.GROUP
    form_class = forms.GroupForm if is_group else forms.IndividualForm
    members = None
    if request.method == "POST":
        form = form_class(request.POST)
        if is_group:
            if "add_rows" in request.POST:
                # 「入力欄を増やす」 without JavaScript: the same page with what was typed and
                # more empty rows; nothing is checked until 「申請する」.
                typed = {key: value for key, value in request.POST.dict().items() if not key.startswith("members-")}
                return _render_apply(request, kind, form_class(initial=typed), forms.with_more_rows(request.POST))
            members = forms.member_formset(request.POST)
        if form.is_valid() and (members is None or members.is_valid()):
            try:
                registration = service.submit(
                    municipality=municipality,
                    user=request.user,
                    kind=kind,
                    data=form.registration_data(),  # type: ignore[attr-defined]
                    members=members.rows() if members is not None else [],
                    request=request,
                )
            except service.RegistrationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _t("利用者登録を申請しました。審査の結果はメールでお知らせします（通常、数日かかります）。"),
                )
                return redirect(_detail(registration))
        return _render_apply(request, kind, form, members, status=400)
    account = _initial_from_account(request.user)
    form = form_class(initial=account if not is_group else {"email": account["email"]})
    return _render_apply(request, kind, form, forms.member_formset() if is_group else None)


def _render_apply(request: HttpRequest, kind: str, form: Any, members: Any, *, status: int = 200) -> HttpResponse:
    is_group = kind == RegistrationKind.GROUP
    title = _("団体登録の申請") if is_group else _("個人登録の申請")
    response = render(
        request,
        "facilities/registrations/apply.html",
        {
            "form": form,
            "members": members,
            "is_group": is_group,
            "title": title,
            "max_members": service.MAX_MEMBERS,
            "breadcrumbs": [
                (_("施設予約マイページ"), "facilities:my"),
                (_("利用者登録"), "facilities:register"),
                (title, None),
            ],
        },
    )
    response.status_code = status
    return response


@login_required
@require_http_methods(["GET", "POST"])
def register_individual(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """個人登録の申請."""
    return _apply(request, RegistrationKind.INDIVIDUAL)


@login_required
@require_http_methods(["GET", "POST"])
def register_group(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """団体登録の申請: the group, its representative and member rows (or counts)."""
    return _apply(request, RegistrationKind.GROUP)


@login_required
@require_http_methods(["GET", "POST"])
def registration(request: HttpRequest, municipality_slug: str, pk: int) -> HttpResponse:
    """One of the resident's registrations: status, card number, validity, limits and
    members; the contact details can be changed here."""
    municipality = get_request_municipality(request)
    found = service.registration_of(request.user, municipality, pk)
    if found is None:
        raise Http404
    contact = forms.ContactForm.for_registration(found, request.POST if request.method == "POST" else None)
    status_code = 200
    if request.method == "POST":
        if contact.is_valid():
            changed = service.update_contact(found, actor=request.user, data=contact.cleaned_data, request=request)
            if changed:
                messages.success(request, _t("連絡先を変更しました。"))
            else:
                messages.info(request, _t("変更はありませんでした。"))
            return redirect(_detail(found) + "#contact")
        status_code = 400
    service.audit_read(found, request=request, what="resident_detail")
    today = timezone.localdate()
    status, status_label = _status_text(found, today)
    usable = service.is_usable(found, today)
    response = render(
        request,
        "facilities/registrations/detail.html",
        {
            "registration": found,
            "status": status,
            "status_label": status_label,
            "usable": usable,
            "members": list(GroupMember.objects.filter(registration=found)) if found.is_group else [],
            "active_bookings": service.active_booking_count(found, today),
            "month_entries": service.entry_count(found, today),
            "contact_form": contact,
            "reapply_url": _url("register_group" if found.is_group else "register_individual", municipality),
            "breadcrumbs": [(_("施設予約マイページ"), "facilities:my"), (found.name, None)],
        },
    )
    response.status_code = status_code
    return response


def _bookings_of(user: Any, municipality: Municipality) -> list[Any] | None:
    """The user's bookings through part 3's service; None while it does not exist."""
    try:
        from ..services import bookings
    except ImportError:  # pragma: no cover - the module exists; its function may not yet
        return None
    bookings_of = getattr(bookings, "bookings_of", None)
    return list(bookings_of(user, municipality)) if bookings_of is not None else None


def _entries_of(user: Any, municipality: Municipality) -> list[Any] | None:
    """The user's lottery entries through part 4's service; None while it does not exist."""
    try:
        from ..services import lotteries  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    entries_of = getattr(lotteries, "entries_of", None)
    return list(entries_of(user, municipality)) if entries_of is not None else None


@login_required
def my(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """施設予約マイページ: the resident's registrations, upcoming and past bookings and
    lottery entries, with the way to each part."""
    municipality = get_request_municipality(request)
    today = timezone.localdate()
    mine = service.registrations_of(request.user, municipality)
    bookings = _bookings_of(request.user, municipality)
    entries = _entries_of(request.user, municipality)
    service.audit_list(
        municipality,
        request=request,
        what="my_page",
        count=len(mine),
        extra={"bookings": len(bookings or []), "entries": len(entries or [])},
    )
    # Soonest first for what is coming; the service gives newest use date first.
    upcoming = sorted((b for b in bookings or [] if b.date >= today), key=lambda b: (b.date, b.starts_at))
    past = [b for b in bookings or [] if b.date < today][:10]
    return render(
        request,
        "facilities/registrations/my.html",
        {
            "registrations": [(r, *_status_text(r, today), _detail(r)) for r in mine],
            "has_usable": any(service.is_usable(r, today) for r in mine),
            "bookings_available": bookings is not None,
            "upcoming": [(b, _url("booking", municipality, number=b.number)) for b in upcoming],
            "past": [(b, _url("booking", municipality, number=b.number)) for b in past],
            "entries_available": entries is not None,
            "entries": (entries or [])[:10],
            "links": {
                "index": _url("index", municipality),
                "search": _url("search", municipality),
                "lotteries": _url("lotteries", municipality),
                "my_bookings": _url("my_bookings", municipality),
                "my_entries": _url("my_entries", municipality),
                "register": _url("register", municipality),
            },
            "breadcrumbs": [(_("施設予約マイページ"), None)],
        },
    )
