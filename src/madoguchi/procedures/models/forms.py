"""Forms as data: every change of a procedure's form is a new `FormVersion`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel


class FormVersion(TenantModel):  # type: ignore[django-manager-missing]
    """様式の版: one version of a procedure's form definition (steps, fields, conditions,
    fee), in the JSON format of `procedures.formdef`. A draft (`published_at` empty) is
    what staff edit; publishing freezes it, and a submission keeps the version it was
    made with, so old submissions stay readable after the form changes."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("手続"), on_delete=models.CASCADE, related_name="form_versions"
    )
    number = models.PositiveIntegerField(_("版"))
    definition = models.JSONField(_("様式の定義"), default=dict)
    change_note = models.CharField(_("変更内容"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公開した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("様式の版")
        verbose_name_plural = _("様式の版")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="form_version_number_unique"),
            # At most one draft per procedure: staff edit one next version at a time.
            models.UniqueConstraint(
                fields=["procedure"], condition=models.Q(published_at__isnull=True), name="form_version_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} 第{self.number}版"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None
