"""POST /<slug>/feedback/<page_id>/: a reader's answer to 「このページは役に立ちましたか」."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.core.context_processors import public_path
from madoguchi.core.tenancy import get_request_municipality

from ..feedback_forms import FeedbackForm
from ..services.feedback import feedback_page, record_feedback


# Protected against cross-site posts like every form; pages from the page cache carry each
# reader's own token (portal.cache).
@require_POST
def submit(request: HttpRequest, municipality_slug: str, page_id: int) -> HttpResponse:
    municipality = get_request_municipality(request)
    page = feedback_page(municipality, page_id)
    if page is None:
        raise Http404
    form = FeedbackForm(request.POST)
    page_url = public_path(request, page.get_url(request) or "/")
    if not form.is_valid():
        # Shown again with what was typed and why it was not sent; nothing is lost.
        context = page.get_context(request)
        context.update({"feedback_form": form, "page_url": page_url})
        return render(request, "portal/feedback_error.html", context, status=400)
    record_feedback(
        municipality,
        page,
        form.answers(),
        language=(get_language() or "ja")[:2],
        client=request.META.get("REMOTE_ADDR", ""),
    )
    messages.success(request, _("ご意見ありがとうございました。担当部署でページの改善に役立てます。"))
    return HttpResponseRedirect(f"{page_url}#feedback-heading")
