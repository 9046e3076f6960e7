"""The municipality's website: Wagtail pages.

The tree is: Wagtail's root → `DeploymentRootPage` (the deployment, never shown itself;
`/` is the municipality list) → one `MunicipalityHomePage` per municipality, whose slug is
the municipality's URL slug, so that `/<slug>/` is its home page. Each language is a
translation of that tree (Wagtail i18n): `/en/<slug>/` is the English home page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class DeploymentRootPage(Page):
    """配信のルート: parent of every municipality's home page."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.MunicipalityHomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("配信のルート")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect("/en/" if self.locale.language_code == "en" else "/")


class MunicipalityHomePage(Page):
    """団体のトップページ: the home page of one municipality's website."""

    municipality = models.ForeignKey(
        "core.Municipality", verbose_name=_("地方公共団体"), on_delete=models.PROTECT, related_name="+"
    )
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=["h2", "h3", "bold", "link", "ol", "ul"])

    parent_page_types = ["portal.DeploymentRootPage"]
    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]

    class Meta:
        verbose_name = _("団体のトップページ")

    def clean(self) -> None:
        super().clean()
        if self.municipality_id and self.slug != self.municipality.slug:
            raise ValidationError({"slug": _("トップページのスラッグは団体のURL名と同じにしてください。")})

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["breadcrumbs"] = []
        return context
