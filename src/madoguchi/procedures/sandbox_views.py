"""The demo signing app (/signing-sandbox/): plays the JPKI client software.

The sign page sends the applicant here with a signed, expiring request
(`signers.sandbox`). The app shows what it is asked to sign, the applicant picks one of
the demo CA's test certificates and enters the demo PIN; the app signs the submission's
canonical XML with that certificate's key and shows a form that posts the signed XML
back to the sign page (same site: the session's CSRF token protects it; the sign page
verifies the document like any uploaded one). Only the applicant who started it may use
a request; a request for data that changed since is refused.
"""

from __future__ import annotations

import base64
import hmac
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from madoguchi.core.tenancy import municipality_scope

from . import democa, xmlsig
from .models import Submission
from .services import common
from .signers import sandbox

LANGUAGES = ("ja", "en")

KIND_LABELS = {
    "valid": translation.gettext_noop("有効な電子証明書"),
    "expired": translation.gettext_noop("有効期間が過ぎた電子証明書（検証で不受理になります）"),
    "revoked": translation.gettext_noop("失効した電子証明書（検証で不受理になります）"),
    "untrusted": translation.gettext_noop("信頼されていない認証局の電子証明書（検証で不受理になります）"),
}


def _language(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang") or "ja"
    return lang if lang in LANGUAGES else "ja"


def _certificates(user_email: str) -> list[dict[str, Any]]:
    """The demo certificates, the signed-in person's first."""
    out = []
    for signer in democa.manifest()["signers"]:
        out.append({**signer, "description": translation.gettext(KIND_LABELS.get(signer["kind"], ""))})
    return sorted(out, key=lambda s: (s["email"] != user_email, s["kind"] != "valid"))


def _refuse(request: HttpRequest, lang: str, message: str, return_url: str = "", status: int = 400) -> HttpResponse:
    return render(
        request,
        "procedures/signing_sandbox/refused.html",
        {"lang": lang, "message": message, "return_url": return_url},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The app's one page: choose a certificate, enter the PIN, sign."""
    lang = _language(request)
    with translation.override(lang):
        response = _start(request, lang)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        return response


def _start(request: HttpRequest, lang: str) -> HttpResponse:
    _ = translation.gettext
    token = request.POST.get("request") or request.GET.get("request") or ""
    try:
        req = sandbox.read_request(token)
    except signing.SignatureExpired:
        return _refuse(request, lang, _("署名の要求の有効期限が切れました。申請の画面からやり直してください。"))
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return _refuse(request, lang, _("この署名の要求は無効です。申請の画面からやり直してください。"))
    return_url = (
        req.return_url
        if req.return_url.startswith("/")
        and url_has_allowed_host_and_scheme(req.return_url, allowed_hosts={request.get_host()})
        else ""
    )
    if req.user_id != request.user.pk:
        return _refuse(request, lang, _("この署名の要求は、サインインしている方のものではありません。"), status=403)
    with municipality_scope(req.municipality_id):
        submission = (
            Submission.objects.select_related("procedure", "form_version", "municipality")
            .filter(public_id=req.public_id, applicant_id=request.user.pk)
            .first()
        )
        if submission is None or not return_url:
            return _refuse(request, lang, _("この署名の要求は無効です。申請の画面からやり直してください。"), status=404)
        canonical = xmlsig.canonical_xml(submission)
    if not hmac.compare_digest(xmlsig.digest(canonical), req.digest):
        return _refuse(
            request, lang, _("署名の要求の後に申請内容が変更されました。申請の画面からやり直してください。"), return_url
        )

    email = str(getattr(request.user, "email", ""))
    certificates = _certificates(email)
    names = [c["name"] for c in certificates]
    error = ""
    chosen = request.POST.get("certificate", "")
    if request.method == "POST":
        pin = request.POST.get("pin", "")
        if chosen not in names:
            error = _("電子証明書を選んでください。")
        elif not hmac.compare_digest(pin.encode(), democa.DEMO_PIN.encode()):
            error = _("暗証番号（署名用パスワード）が違います。")
        else:
            key, cert = democa.load_signer(chosen)
            signed = xmlsig.sign(canonical, key, cert)
            # The app read the applicant's data to sign it: an audited read like a download.
            common.audit_read(submission, request=request, what="signing_sandbox")
            return render(
                request,
                "procedures/signing_sandbox/signed.html",
                {
                    "lang": lang,
                    "return_url": return_url,
                    "signed_xml": base64.b64encode(signed).decode("ascii"),
                    "certificate": next(c for c in certificates if c["name"] == chosen),
                    "procedure_name": submission.procedure.name,
                },
            )
    other = "en" if lang == "ja" else "ja"
    return render(
        request,
        "procedures/signing_sandbox/start.html",
        {
            "lang": lang,
            "other_lang": other,
            "other_lang_url": f"{request.path}?{urlencode({'request': token, 'lang': other})}",
            "token": token,
            "submission": submission,
            "procedure_name": submission.procedure.name,
            "digest": req.digest,
            "canonical": canonical.decode("utf-8"),
            "certificates": certificates,
            "chosen": chosen or (names[0] if names else ""),
            "error": error,
            "return_url": return_url,
            "demo_pin": democa.DEMO_PIN,
        },
        status=200,
    )
