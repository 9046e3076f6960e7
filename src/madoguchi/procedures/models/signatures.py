"""Evidence of electronic signatures (公的個人認証): what was signed, with which
certificate, and what the verification found."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel


class SignatureResult(models.TextChoices):
    ACCEPTED = "accepted", _("有効（受理）")
    REFUSED = "refused", _("無効（受理せず）")


class SignatureEvidence(TenantModel):  # type: ignore[django-manager-missing]
    """署名検証の記録: the signed XML document (XMLDSig) exactly as received, the signer's
    certificate, and the result of checking the signature, the chain to the trust anchor,
    the validity dates and the revocation list. Refused attempts are kept too."""

    submission = models.ForeignKey(
        "procedures.Submission", verbose_name=_("申請"), on_delete=models.CASCADE, related_name="signatures"
    )
    signed_document = models.TextField(_("署名付き文書（XML）"))
    data_digest = models.CharField(_("申請データのSHA-256"), max_length=64)
    certificate_pem = models.TextField(_("署名用電子証明書（PEM）"), blank=True)
    subject = models.CharField(_("証明書の主体者"), max_length=500, blank=True)
    issuer = models.CharField(_("証明書の発行者"), max_length=500, blank=True)
    serial_number = models.CharField(_("証明書のシリアル番号"), max_length=80, blank=True)
    not_before = models.DateTimeField(_("有効期間の開始"), null=True, blank=True)
    not_after = models.DateTimeField(_("有効期間の満了"), null=True, blank=True)
    trust_anchor = models.CharField(_("信頼の起点"), max_length=500, blank=True)
    crl_issued_at = models.DateTimeField(_("失効リストの発行日時"), null=True, blank=True)
    crl_number = models.CharField(_("失効リストの番号"), max_length=80, blank=True)
    result = models.CharField(_("検証結果"), max_length=20, choices=SignatureResult.choices)
    failure_code = models.CharField(_("不受理の理由コード"), max_length=40, blank=True)
    failure_message = models.TextField(_("不受理の理由"), blank=True)
    provider = models.CharField(_("署名の方法"), max_length=40, blank=True)
    verified_at = models.DateTimeField(_("検証日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("署名検証の記録")
        verbose_name_plural = _("署名検証の記録")
        ordering = ["-verified_at", "-pk"]
