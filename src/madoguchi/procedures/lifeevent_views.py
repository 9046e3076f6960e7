"""One-stop life events (ライフイベント) for residents: the list of events, an event's
questions, and the person's page of a case (the procedures that apply, grouped by
department, and the shared answers entered once). The logic is in
`services.lifeevents`; these views only show and collect."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from madoguchi.core.tenancy import get_request_municipality

from . import formbuild
from .models import LifeEvent
from .services import lifeevents

QUESTIONS_PREFIX = "q"
SHARED_PREFIX = "s"


def _event(request: HttpRequest, slug: str) -> LifeEvent:
    municipality = get_request_municipality(request)
    event = LifeEvent.objects.filter(municipality=municipality, slug=slug, is_published=True).first()
    if event is None:
        raise Http404
    return event


def _events_crumb(request: HttpRequest) -> tuple[str, str]:
    municipality = get_request_municipality(request)
    return (str(_("ライフイベントから探す")), reverse("procedures:life_events", args=[municipality.slug]))


def life_events(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """ライフイベントから探す: the municipality's life events."""
    municipality = get_request_municipality(request)
    return render(
        request,
        "procedures/life_events.html",
        {
            "events": lifeevents.published_events(municipality),
            "breadcrumbs": [(_("ライフイベントから探す"), None)],
        },
    )


def life_event(request: HttpRequest, municipality_slug: str, slug: str) -> HttpResponse:
    """An event's questions; answering them starts a case (the person's page)."""
    event = _event(request, slug)
    definition = lifeevents.questions_definition(event)
    form = None
    if definition is not None:
        form = formbuild.build_step_form(
            definition, 0, data=request.POST if request.method == "POST" else None, prefix=QUESTIONS_PREFIX
        )
    if request.method == "POST" and (form is None or form.is_valid()):
        answers = form.cleaned_values() if form is not None else {}
        case = lifeevents.start_case(event, answers, user=request.user, session=request.session, request=request)
        return redirect("procedures:life_event_case", municipality_slug=municipality_slug, public_id=case.public_id)
    return render(
        request,
        "procedures/life_event.html",
        {
            "event": event,
            "form": form,
            "breadcrumbs": [_events_crumb(request), (event.name, None)],
        },
        status=400 if request.method == "POST" else 200,
    )


def life_event_case(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """The person's page of a case: the procedures that apply, grouped by department,
    each with 「申請する」 and its state; the shared answers (entered once, editable)."""
    municipality = get_request_municipality(request)
    case = lifeevents.get_case(municipality, public_id, user=request.user, session=request.session)
    if case is None:
        raise Http404
    definition = lifeevents.shared_definition(case.life_event)
    editing = request.method == "POST" or request.GET.get("edit") == "1" or not case.shared_data
    form = None
    if definition is not None and editing:
        form = formbuild.build_step_form(
            definition,
            0,
            data=request.POST if request.method == "POST" else None,
            initial=lifeevents.shared_initial(case),
            prefix=SHARED_PREFIX,
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            lifeevents.save_shared(case, form.cleaned_values(), request=request)
            messages.success(request, gettext("共通の入力を保存しました。各手続の申請画面に入力されます。"))
            return redirect("procedures:life_event_case", municipality_slug=municipality_slug, public_id=case.public_id)
    lifeevents.audit_read(case, request=request)
    groups = lifeevents.case_items(case, user=request.user)
    return render(
        request,
        "procedures/life_event_case.html",
        {
            "case": case,
            "event": case.life_event,
            "groups": groups,
            "count": sum(len(g.items) for g in groups),
            "form": form,
            "shared_summary": lifeevents.shared_summary(case),
            "signed_in": request.user.is_authenticated,
            "breadcrumbs": [
                _events_crumb(request),
                (
                    case.life_event.name,
                    reverse("procedures:life_event", args=[municipality_slug, case.life_event.slug]),
                ),
                (_("あなたの手続"), None),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )
