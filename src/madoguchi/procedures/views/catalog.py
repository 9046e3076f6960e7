"""The residents' catalog of procedures (申請・届出): search, browse by category and life
event, a procedure's page, and its paper form. Public pages: they show no personal data,
except the signed-in user's own drafts on the catalog page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from madoguchi.core.tenancy import get_request_municipality

from .. import paperforms
from ..models import IdentityLevel, Procedure, ProcedureCategory
from ..services import applying, search


def _procedure(request: HttpRequest, slug: str) -> Procedure:
    municipality = get_request_municipality(request)
    procedure = (
        Procedure.objects.filter(municipality=municipality, slug=slug, is_published=True)
        .select_related("department", "category")
        .first()
    )
    if procedure is None:
        raise Http404
    return procedure


@require_safe
def catalog(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """手続を探す: search (kana- and width-insensitive), categories, life events, and the
    signed-in user's drafts. With htmx, a search answers with the results only."""
    municipality = get_request_municipality(request)
    query = request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
    category = None
    if slug := request.GET.get("category", ""):
        category = ProcedureCategory.objects.filter(municipality=municipality, slug=slug).first()
    searching = bool(query or category)
    results = search.search(municipality, query, category=category)
    context: dict[str, Any] = {
        "query": query,
        "category": category,
        "searching": searching,
        "results": results,
    }
    if getattr(request, "htmx", False) and request.headers.get("HX-Target") == "catalog-results":
        return render(request, "procedures/catalog_results.html", context)
    context.update(
        {
            "categories": search.categories(municipality),
            "life_events": search.life_events(municipality),
            "drafts": list(applying.drafts_of(request.user, municipality)),
            "breadcrumbs": [(_("申請・届出"), None)],
        }
    )
    return render(request, "procedures/catalog.html", context)


@require_safe
def procedure_detail(request: HttpRequest, municipality_slug: str, slug: str) -> HttpResponse:
    """A procedure: who may apply, what to attach, fee, processing time, identity level,
    the department to ask, and how to apply (online, on paper)."""
    procedure = _procedure(request, slug)
    version = procedure.current_version()
    fee_lines = []
    if version is not None:
        from .. import formdef

        try:
            fee_lines = list(formdef.parse(version.definition).fee_lines)
        except formdef.FormDefinitionError:
            fee_lines = []
    draft = None
    if request.user.is_authenticated:
        draft = applying.drafts_of(request.user, procedure.municipality).filter(procedure=procedure).first()
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "procedure": procedure,
            "can_apply_online": procedure.is_online and version is not None,
            "gate": applying.gate(procedure, request),
            "fee_lines": fee_lines,
            "draft": draft,
            "levels": IdentityLevel,
            "breadcrumbs": [(_("申請・届出"), "procedures:catalog"), (procedure.name, None)],
        },
    )


@require_safe
def paper_form(request: HttpRequest, municipality_slug: str, slug: str) -> HttpResponseBase:
    """申請書（PDF）: the uploaded paper form, or one generated from the form definition."""
    procedure = _procedure(request, slug)
    filename = f"{procedure.slug}.pdf"
    if procedure.paper_form:
        response: HttpResponseBase = FileResponse(
            procedure.paper_form.open("rb"), content_type="application/pdf", filename=filename
        )
    else:
        # Generated from the current form definition (paperforms); a paper-only
        # procedure without a form definition gets the catalog entry as a form.
        pdf = paperforms.render_paper_form(procedure, procedure.current_version())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if not settings.DEBUG:
        response["Cache-Control"] = "public, max-age=300"
    return response
