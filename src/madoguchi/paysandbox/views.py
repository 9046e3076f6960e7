"""The sandbox's pages (the payer's payment page) and its merchant API over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import api as api_module
from . import services
from .models import Method, SandboxPayment, SandboxStatus

LANGUAGES = ("ja", "en")
MAX_API_BODY = 64 * 1024


def _language(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang") or "ja"
    return lang if lang in LANGUAGES else "ja"


def in_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The sandbox is not under a language prefix: Japanese unless `?lang=en`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lang = _language(request)
        with translation.override(lang):
            response = view(request, *args, lang=lang, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapped


def _back_to_merchant(payment: SandboxPayment) -> HttpResponse:
    # The merchant gave an absolute URL when it created the payment; the sandbox sends
    # the payer there, as a real gateway would.
    if not payment.return_url.startswith(("http://", "https://")):
        raise Http404
    return HttpResponseRedirect(payment.return_url)


@never_cache
@require_http_methods(["GET", "POST"])
@in_language
def pay(request: HttpRequest, public_id: str, *, lang: str) -> HttpResponse:
    """決済ページ: the payer enters a test card number or chooses a bank."""
    payment = SandboxPayment.objects.filter(public_id=public_id).first()
    if payment is None:
        raise Http404
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "card" and payment.method == Method.CARD:
                payment = services.pay_by_card(payment, request.POST.get("card_number", ""))
            elif action in ("bank_approve", "bank_reject") and payment.method == Method.BANK:
                payment = services.pay_by_bank(payment, request.POST.get("bank", ""), approve=action == "bank_approve")
            elif action == "cancel":
                payment = services.cancel(payment)
            else:
                raise services.SandboxError(str(translation.gettext("操作を選んでください。")))
        except services.SandboxError as exc:
            error = str(exc)
        else:
            return _back_to_merchant(payment)
    elif payment.status == SandboxStatus.CREATED:
        payment = services.open_page(payment)
    done = payment.status in services.FINAL or bool(payment.settles_to)
    other = "en" if lang == "ja" else "ja"
    context = {
        "payment": payment,
        "error": error,
        "done": done,
        "lang": lang,
        "other_lang": other,
        "other_lang_url": f"{request.path}?lang={other}",
        "banks": services.BANKS,
        "cards": [
            (services.SUCCESS_CARD, translation.gettext("支払いが完了します")),
            (services.DECLINE_CARD, translation.gettext("カード会社が承認しません（決済不可）")),
            (
                services.TIMEOUT_CARD,
                translation.gettext("応答がなく処理中のまま戻ります（通知は届かず、後で状態照会すると完了）"),
            ),
        ],
        "card_value": request.POST.get("card_number", "") if error else "",
    }
    return render(request, "paysandbox/pay.html", context, status=200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def api(request: HttpRequest, path: str) -> HttpResponse:
    """The merchant API over HTTP (see `api.dispatch`)."""
    body = request.body if request.method == "POST" else b""
    if len(body) > MAX_API_BODY:
        return JsonResponse({"error": "body too large"}, status=413)
    base_url = f"{request.scheme}://{request.get_host()}"
    status, data = api_module.dispatch(request.method or "GET", path, request.headers, body, base_url=base_url)
    return HttpResponse(json.dumps(data), status=status, content_type="application/json")
