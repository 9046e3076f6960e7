"""Pages about the city's services: the holiday emergency doctor rota (休日当番医),
guidance on a health, welfare or childcare service (制度・サービス案内), the disaster
information hub (防災情報) and a page that leads to an online procedure (手続案内)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from madoguchi.core.models import TenantModel
from madoguchi.portal.forms import ProcedureLinkPageForm, ServiceGuidePageForm

from .base import RICH_TEXT_FEATURES, PortalPage

SERVICE_PARENTS = ["portal.MunicipalityHomePage", "portal.SectionPage"]


def _page_municipality(page: PortalPage) -> Any:
    home = page.municipality_home()
    return home.municipality if home is not None else None


class DutyKind(models.TextChoices):
    """診療科目 of a holiday duty."""

    INTERNAL = "internal", _("内科")
    PAEDIATRICS = "paediatrics", _("小児科")
    INTERNAL_PAEDIATRICS = "internal_paediatrics", _("内科・小児科")
    SURGERY = "surgery", _("外科")
    DENTAL = "dental", _("歯科")


class HolidayDoctorDuty(TenantModel):  # type: ignore[django-manager-missing]
    """休日当番医: a clinic open for emergencies on a Sunday or holiday (日曜・祝日・年末年始),
    as the medical association's rota assigns it."""

    date = models.DateField(_("日付"))
    kind = models.CharField(_("診療科目"), max_length=30, choices=DutyKind.choices)
    institution = models.CharField(_("医療機関名"), max_length=120)
    address = models.CharField(_("所在地"), max_length=200)
    phone = models.CharField(_("電話番号"), max_length=20)
    opens_at = models.TimeField(_("受付開始"))
    closes_at = models.TimeField(_("受付終了"))
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("休日当番医")
        verbose_name_plural = _("休日当番医")
        ordering = ["date", "kind", "institution"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "date", "kind", "institution"], name="holiday_duty_unique_per_day"
            ),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="holiday_duty_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.institution}"

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("受付終了は受付開始より後にしてください。")})


class HolidayDoctorRotaPage(PortalPage):
    """休日当番医のページ: the coming duties by date (from `HolidayDoctorDuty`), with the
    page's own notes (救急電話相談 #7119, 子ども救急電話相談 #8000 …)."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)
    weeks_shown = models.PositiveSmallIntegerField(_("表示する週数"), default=8)

    parent_page_types = SERVICE_PARENTS
    subpage_types: list[str] = []
    max_count_per_parent = 1
    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldPanel("weeks_shown"),
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("休日当番医")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from madoguchi.portal.services import rota

        context = super().get_context(request, *args, **kwargs)
        kind = rota.valid_kind(request.GET.get("kind", ""))
        context.update(
            duty_days=rota.coming_duties(_page_municipality(self), weeks=self.weeks_shown, kind=kind),
            duty_kinds=rota.kind_choices(),
            selected_kind=kind,
        )
        return context


class ServiceField(models.TextChoices):
    HEALTH = "health", _("健康・検診・予防接種")
    MEDICAL = "medical", _("医療")
    WELFARE = "welfare", _("福祉")
    ELDERLY = "elderly", _("高齢者・介護")
    DISABILITY = "disability", _("障害のある方")
    CHILDCARE = "childcare", _("子育て")
    EDUCATION = "education", _("教育")
    LIVING = "living", _("くらし")


class ServiceGuidePage(PortalPage):
    """制度・サービス案内: one service of the city (児童手当, 乳幼児健診, 予防接種 …) in the
    structure residents look for: who it is for, what it gives, how to apply, what it costs,
    what to bring — and the online procedure when there is one."""

    field = models.CharField(_("分野"), max_length=20, choices=ServiceField.choices)
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    target = models.TextField(_("対象となる方"), blank=True)
    content = RichTextField(_("内容"), blank=True, features=RICH_TEXT_FEATURES)
    how_to_apply = RichTextField(_("申請・利用方法"), blank=True, features=RICH_TEXT_FEATURES)
    fee = models.CharField(_("費用"), max_length=200, blank=True)
    required_items = models.TextField(_("必要なもの"), blank=True)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("オンライン申請"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    parent_page_types = SERVICE_PARENTS
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("field"),
        FieldPanel("lead"),
        FieldPanel("target"),
        FieldPanel("content"),
        FieldPanel("how_to_apply"),
        FieldRowPanel([FieldPanel("fee")]),
        FieldPanel("required_items"),
        FieldPanel("procedure"),
        *PortalPage.portal_panels,
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("target"),
        index.SearchField("content"),
        index.SearchField("how_to_apply"),
    ]

    base_form_class = ServiceGuidePageForm

    class Meta:
        verbose_name = _("制度・サービス案内")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from madoguchi.portal.services.procedure_links import procedure_link

        context = super().get_context(request, *args, **kwargs)
        context["procedure_link"] = procedure_link(
            _page_municipality(self), self.procedure_id, self.locale.language_code
        )
        return context


class DisasterHubPage(PortalPage):
    """防災情報: the hub of disaster information. What is happening now comes from the
    providers registered with `portal.disaster_hub` (the disaster module fills it); below
    it the page's own guidance (備え, ハザードマップ) and the designated evacuation sites
    from the open data set 指定緊急避難場所一覧."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)
    show_evacuation_sites = models.BooleanField(_("指定緊急避難場所の一覧を表示"), default=True)

    parent_page_types = SERVICE_PARENTS
    subpage_types = ["portal.ContentPage"]
    max_count_per_parent = 1
    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldPanel("show_evacuation_sites"),
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("防災情報")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from madoguchi.portal import disaster_hub
        from madoguchi.portal.services.dataset_listing import evacuation_spaces

        context = super().get_context(request, *args, **kwargs)
        municipality = _page_municipality(self)
        context["hub_items"] = (
            disaster_hub.current_items(municipality, self.locale.language_code) if municipality else []
        )
        context["evacuation_spaces"] = evacuation_spaces(municipality) if self.show_evacuation_sites else []
        context["child_pages"] = self.child_links(request, menus_only=False)
        return context


class ProcedureLinkPage(PortalPage):
    """手続案内: a page of the website for one procedure of the catalog (電子申請): the
    catalog's summary, fee and documents, and the button to apply online."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("手続"), on_delete=models.PROTECT, related_name="+"
    )
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("補足"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = SERVICE_PARENTS
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("procedure"),
        FieldPanel("lead"),
        FieldPanel("body"),
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    base_form_class = ProcedureLinkPageForm

    class Meta:
        verbose_name = _("手続案内")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from madoguchi.portal.services.procedure_links import procedure_link

        context = super().get_context(request, *args, **kwargs)
        context["procedure_link"] = procedure_link(
            _page_municipality(self), self.procedure_id, self.locale.language_code
        )
        return context
