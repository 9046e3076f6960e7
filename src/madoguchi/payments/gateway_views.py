"""The endpoint gateways notify. CSRF-exempt (the caller is a server, not a browser
session): the HMAC signature is what proves the caller, checked by the gateway's
`parse_notification()` in `online.handle_notification()`."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import gateways, online
from .models import NotificationResult

MAX_BODY = 64 * 1024


@csrf_exempt
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """Answers 200 to anything the gateway need not send again (applied, duplicate,
    stale), 400 to a notification that is not the gateway's, 404 for an unknown payment."""
    try:
        gateways.get(provider)
    except ImproperlyConfigured:
        raise Http404 from None
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"result": "rejected", "error": "body too large"}, status=413)
    outcome = online.handle_notification(provider, body, dict(request.headers))
    status = 200
    if outcome.result == NotificationResult.REJECTED:
        status = 404 if outcome.signature_valid else 400
    return JsonResponse({"result": outcome.result}, status=status)
