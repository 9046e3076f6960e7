"""お知らせ and イベント: dated pages below their index pages (feeds, calendar)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .base import RICH_TEXT_FEATURES, PlaceFields, PortalPage


class NewsCategory(models.TextChoices):
    """お知らせの分類 (the sections most municipal sites sort their news into)."""

    IMPORTANT = "important", _("重要なお知らせ")
    LIVING = "living", _("くらし・手続")
    HEALTH = "health", _("健康・福祉")
    CHILDCARE = "childcare", _("子育て・教育")
    TOURISM = "tourism", _("観光・イベント")
    BUSINESS = "business", _("産業・しごと")
    SAFETY = "safety", _("防災・安全")
    ADMINISTRATION = "administration", _("市政情報")


class EventCategory(models.TextChoices):
    """イベントの分類."""

    FESTIVAL = "festival", _("祭り・催し")
    CULTURE = "culture", _("文化・芸術")
    SPORTS = "sports", _("スポーツ")
    LECTURE = "lecture", _("講座・教室")
    HEALTH = "health", _("健康・福祉")
    CHILDCARE = "childcare", _("子育て")
    OTHER = "other", _("その他")


#: Slugs an index page's routes answer to: a page below the index by that name could never
#: be reached, so the editor may not give it.
NEWS_ROUTE_SLUGS = ("feed",)
EVENT_ROUTE_SLUGS = ("calendar", "past", "feed", "ics")


def _check_route_slug(page: Page, reserved: tuple[str, ...]) -> None:
    if page.slug in reserved:
        raise ValidationError(
            {"slug": _("「%(slug)s」は一覧ページの機能が使うため、スラッグにできません。") % {"slug": page.slug}}
        )


class NewsIndexPage(RoutablePageMixin, PortalPage):
    """お知らせ一覧: the news below it, newest first, by category, with an Atom feed."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)

    parent_page_types = ["portal.MunicipalityHomePage", "portal.SectionPage"]
    subpage_types = ["portal.NewsPage"]
    content_panels = [*Page.content_panels, FieldPanel("lead"), *PortalPage.portal_panels]

    class Meta:
        verbose_name = _("お知らせ一覧")

    # Routes: the list (`?category=`, `?page=`) and the Atom feed. Views stay thin; the
    # queries are in portal.services.news_events, and the pages' context.

    @path("")
    def news_list(self, request: HttpRequest) -> HttpResponse:
        from ..services.news_events import news_list_context

        return self.render(request, context_overrides=news_list_context(self, request))

    @path("feed/")
    def news_feed(self, request: HttpRequest) -> HttpResponse:
        from ..feeds import NewsFeed

        return NewsFeed(self)(request)  # type: ignore[no-any-return]


class NewsPage(PortalPage):
    """お知らせ: one news item, dated, in one category."""

    date = models.DateField(_("掲載日"), default=dt.date.today)
    category = models.CharField(_("分類"), max_length=20, choices=NewsCategory.choices, default=NewsCategory.LIVING)
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["portal.NewsIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("category")]),
        FieldPanel("lead"),
        FieldPanel("body"),
        *PortalPage.portal_panels,
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = _("お知らせ")
        ordering = ["-date"]

    def clean(self) -> None:
        super().clean()
        _check_route_slug(self, NEWS_ROUTE_SLUGS)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..services.news_events import news_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(news_page_context(self, request))
        return context


class EventIndexPage(RoutablePageMixin, PortalPage):
    """イベント一覧: upcoming events below it, a month calendar and an Atom feed."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)

    parent_page_types = ["portal.MunicipalityHomePage", "portal.SectionPage"]
    subpage_types = ["portal.EventPage"]
    content_panels = [*Page.content_panels, FieldPanel("lead"), *PortalPage.portal_panels]

    class Meta:
        verbose_name = _("イベント一覧")

    # Routes: upcoming events (`?month=`, `?page=`), the month calendar, the archive of
    # past events, the Atom feed and each event's iCalendar file.

    @path("")
    def upcoming(self, request: HttpRequest) -> HttpResponse:
        from ..services.news_events import upcoming_context

        return self.render(request, context_overrides=upcoming_context(self, request))

    @path("calendar/", name="calendar")
    @path("calendar/<int:year>/<int:month>/", name="calendar_month")
    def calendar(self, request: HttpRequest, year: int | None = None, month: int | None = None) -> HttpResponse:
        from ..services.news_events import calendar_context

        context = calendar_context(self, request, year, month)
        if context is None:
            raise Http404
        return self.render(request, context_overrides=context, template="portal/event_calendar.html")

    @path("past/", name="past")
    def past(self, request: HttpRequest) -> HttpResponse:
        from ..services.news_events import past_context

        return self.render(request, context_overrides=past_context(self, request))

    @path("feed/")
    def event_feed(self, request: HttpRequest) -> HttpResponse:
        from ..feeds import EventFeed

        return EventFeed(self)(request)  # type: ignore[no-any-return]

    @path("ics/<int:event_id>/", name="ics")
    def event_ics(self, request: HttpRequest, event_id: int) -> HttpResponse:
        from ..services.news_events import event_ics_response

        return event_ics_response(self, request, event_id)


class EventPage(PlaceFields, PortalPage):  # type: ignore[django-manager-missing]
    """イベント: an event with its dates, place, fee and organiser (イベント一覧 of the
    standard open data set is written from these pages)."""

    category = models.CharField(_("分類"), max_length=20, choices=EventCategory.choices, default=EventCategory.FESTIVAL)
    start_date = models.DateField(_("開始日"))
    end_date = models.DateField(_("終了日"), null=True, blank=True, help_text=_("1日だけのイベントは空欄"))
    start_time = models.TimeField(_("開始時間"), null=True, blank=True)
    end_time = models.TimeField(_("終了時間"), null=True, blank=True)
    schedule_note = models.CharField(
        _("日時の補足"), max_length=200, blank=True, help_text=_("例: 雨天中止、土日のみ開催")
    )
    place_name = models.CharField(_("場所名称"), max_length=200, blank=True)
    access = models.TextField(_("アクセス方法"), blank=True)
    parking = models.CharField(_("駐車場情報"), max_length=200, blank=True)
    is_free = models.BooleanField(_("無料"), default=False)
    fee = models.CharField(_("料金"), max_length=200, blank=True, help_text=_("例: 大人500円、中学生以下無料"))
    organiser = models.CharField(_("主催者"), max_length=200, blank=True)
    contact_name = models.CharField(_("問い合わせ先"), max_length=200, blank=True)
    contact_phone = models.CharField(_("問い合わせ先電話番号"), max_length=20, blank=True)
    target = models.CharField(_("対象者"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    registration = models.CharField(_("申込方法"), max_length=250, blank=True, help_text=_("申込不要なら空欄"))
    registration_url = models.URLField(_("申込URL"), blank=True)
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["portal.EventIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("category"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
                FieldPanel("schedule_note"),
            ],
            heading=_("日時"),
        ),
        FieldPanel("place_name"),
        *PlaceFields.place_panels,
        FieldPanel("access"),
        FieldPanel("parking"),
        MultiFieldPanel(
            [FieldPanel("is_free"), FieldPanel("fee"), FieldPanel("target"), FieldPanel("capacity")],
            heading=_("料金・対象"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("organiser"),
                FieldPanel("contact_name"),
                FieldPanel("contact_phone"),
                FieldPanel("registration"),
                FieldPanel("registration_url"),
            ],
            heading=_("主催・申込"),
        ),
        FieldPanel("lead"),
        FieldPanel("body"),
        *PortalPage.portal_panels,
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.SearchField("place_name"),
        index.FilterField("start_date"),
        index.FilterField("end_date"),
    ]

    class Meta:
        verbose_name = _("イベント")
        ordering = ["start_date", "start_time"]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..services.news_events import event_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(event_page_context(self, request))
        return context

    @property
    def last_date(self) -> dt.date:
        return self.end_date or self.start_date

    def is_past(self, today: dt.date | None = None) -> bool:
        return self.last_date < (today or timezone.localdate())

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("終了日は開始日以降にしてください。")
        if (
            self.start_time
            and self.end_time
            and (self.end_date in (None, self.start_date))
            and self.end_time <= self.start_time
        ):
            errors["end_time"] = _("終了時間は開始時間より後にしてください。")
        if self.is_free and self.fee:
            errors["fee"] = _("無料のイベントに料金は入力できません。")
        if self.slug in EVENT_ROUTE_SLUGS:
            errors["slug"] = _("「%(slug)s」は一覧ページの機能が使うため、スラッグにできません。") % {"slug": self.slug}
        if errors:
            raise ValidationError(errors)
