"""お知らせ and イベント: the queries, the month calendar, map links and the iCalendar file
behind the news and event pages and their Atom feeds.

Every query starts from an index page and reads only the live, public pages below it, so a
municipality's lists can never show another municipality's pages (the index is in exactly
one municipality's tree). Dates are the municipality's local dates (settings.TIME_ZONE).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page
from wagtail.query import PageQuerySet

from madoguchi.core.context_processors import absolute, public_path
from madoguchi.japanese.holidays import holiday_name

if TYPE_CHECKING:
    from ..models import EventIndexPage, EventPage, NewsIndexPage, NewsPage

#: How many items one page of a list shows.
NEWS_PER_PAGE = 20
EVENTS_PER_PAGE = 20
#: How many items the Atom feeds carry.
FEED_ITEMS = 30
#: How many months from this one the upcoming list's month filter offers.
FILTER_MONTHS = 12
#: How far the calendar can be paged from this month when no event lies further (months):
#: enough for a year's programme, not an endless chain of empty months for crawlers.
CALENDAR_MONTHS_BACK = 12
CALENDAR_MONTHS_AHEAD = 24

#: The longest content line of an iCalendar file, line break excluded (RFC 5545 §3.1).
ICS_LINE_OCTETS = 75

GSI_MAP_URL = "https://maps.gsi.go.jp/#17/{lat}/{lon}/"
OSM_MAP_URL = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

#: The calendar's columns, Sunday first: (short, full) names.
WEEKDAYS = (
    (pgettext_lazy("曜日", "日"), gettext_lazy("日曜日")),
    (pgettext_lazy("曜日", "月"), gettext_lazy("月曜日")),
    (pgettext_lazy("曜日", "火"), gettext_lazy("火曜日")),
    (pgettext_lazy("曜日", "水"), gettext_lazy("水曜日")),
    (pgettext_lazy("曜日", "木"), gettext_lazy("木曜日")),
    (pgettext_lazy("曜日", "金"), gettext_lazy("金曜日")),
    (pgettext_lazy("曜日", "土"), gettext_lazy("土曜日")),
)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# --- News ----------------------------------------------------------------------------------


def news_below(index: Page, category: str | None = None) -> PageQuerySet:
    """The live, public news pages below `index`, newest first (by their 掲載日, then by
    when they were first published), optionally of one category."""
    from ..models import NewsPage

    found = NewsPage.objects.child_of(index).live().public()
    if category:
        found = found.filter(category=category)
    return found.order_by("-date", "-first_published_at", "-pk")


def news_categories_in_use(index: Page) -> list[tuple[str, str]]:
    """(value, label) of the categories that have news below `index`, in the choices' order
    (a filter that leads to an empty list helps nobody)."""
    from ..models import NewsCategory

    used = set(news_below(index).values_list("category", flat=True).distinct())
    return [(value, str(label)) for value, label in NewsCategory.choices if value in used]


def is_news_category(value: str) -> bool:
    from ..models import NewsCategory

    return value in NewsCategory.values


def paginate(items: PageQuerySet, number: str | None, per_page: int) -> PaginatorPage:
    """One page of `items`; a missing, malformed or too large page number gives the
    nearest page that exists (a stale link still shows something)."""
    return Paginator(items, per_page).get_page(number)


# --- Events --------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def _events_below(index: Page) -> PageQuerySet:
    from ..models import EventPage

    return EventPage.objects.child_of(index).live().public()


def _ends_on_or_after(day: dt.date) -> Q:
    """Events whose last day is `day` or later (a one-day event has no end date)."""
    return Q(end_date__gte=day) | Q(end_date__isnull=True, start_date__gte=day)


def _ends_before(day: dt.date) -> Q:
    return Q(end_date__lt=day) | Q(end_date__isnull=True, start_date__lt=day)


def upcoming_events(index: Page, *, on: dt.date | None = None, month: dt.date | None = None) -> PageQuerySet:
    """Events below `index` that have not ended by `on` (today), soonest first; with
    `month` (its first day), only those that run on at least one day of that month."""
    day = on or today()
    found = _events_below(index).filter(_ends_on_or_after(day))
    if month is not None:
        first, last = month_bounds(month)
        found = found.filter(start_date__lte=last).filter(_ends_on_or_after(first))
    return found.order_by("start_date", "start_time", "pk")


def past_events(index: Page, *, on: dt.date | None = None) -> PageQuerySet:
    """Events below `index` that ended before `on` (today), the most recent first."""
    day = on or today()
    return _events_below(index).filter(_ends_before(day)).order_by("-start_date", "-start_time", "-pk")


def events_in_month(index: Page, month: dt.date) -> PageQuerySet:
    """Every event below `index` that runs on at least one day of `month`, past or not."""
    first, last = month_bounds(month)
    return (
        _events_below(index)
        .filter(start_date__lte=last)
        .filter(_ends_on_or_after(first))
        .order_by("start_date", "start_time", "pk")
    )


def parse_month(value: str | None) -> dt.date | None:
    """'2026-12' → 2026-12-01; None for anything else (the caller says it was wrong)."""
    match = _MONTH_RE.match(value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9998):
        return None
    return dt.date(year, month, 1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def filter_months(on: dt.date | None = None) -> list[dt.date]:
    """The months the upcoming list can be narrowed to: this month and the next eleven."""
    first = (on or today()).replace(day=1)
    return [add_months(first, n) for n in range(FILTER_MONTHS)]


def calendar_range(index: Page, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last month the calendar pages through: a year back and two ahead of
    this month, widened to the first and last event below `index`."""
    this_month = (on or today()).replace(day=1)
    earliest = add_months(this_month, -CALENDAR_MONTHS_BACK)
    latest = add_months(this_month, CALENDAR_MONTHS_AHEAD)
    events = _events_below(index)
    first_event = events.order_by("start_date").values_list("start_date", flat=True).first()
    last_start = events.order_by("-start_date").values_list("start_date", flat=True).first()
    last_end = events.exclude(end_date=None).order_by("-end_date").values_list("end_date", flat=True).first()
    if first_event is not None:
        earliest = min(earliest, first_event.replace(day=1))
    for day in (last_start, last_end):
        if day is not None:
            latest = max(latest, day.replace(day=1))
    return earliest, latest


@dataclass
class CalendarDay:
    """One day of the month calendar and the events running on it."""

    date: dt.date
    events: list[EventPage] = field(default_factory=list)
    holiday: str | None = None
    is_today: bool = False

    @property
    def anchor(self) -> str:
        return f"day-{self.date.isoformat()}"


@dataclass
class MonthCalendar:
    """A month as weeks of seven days (Sunday first, as Japanese calendars are printed);
    days outside the month are None."""

    month: dt.date
    weeks: list[list[CalendarDay | None]]
    previous_month: dt.date | None
    next_month: dt.date | None

    @property
    def days_with_events(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week if day is not None and day.events]


def month_calendar(index: Page, month: dt.date, *, on: dt.date | None = None, language: str = "ja") -> MonthCalendar:
    """The month calendar of the events below `index`: each day lists the events that run
    on it (a three-day festival shows on each of its days)."""
    day_today = on or today()
    first, last = month_bounds(month)
    days = {first + dt.timedelta(days=n): CalendarDay(first + dt.timedelta(days=n)) for n in range(last.day)}
    for event in events_in_month(index, first):
        start = max(event.start_date, first)
        end = min(event.last_date, last)
        day = start
        while day <= end:
            days[day].events.append(event)
            day += dt.timedelta(days=1)
    for day_entry in days.values():
        day_entry.holiday = holiday_name(day_entry.date, language)
        day_entry.is_today = day_entry.date == day_today
    weeks: list[list[CalendarDay | None]] = []
    for week in calendar.Calendar(firstweekday=calendar.SUNDAY).monthdatescalendar(first.year, first.month):
        weeks.append([days[d] if d.month == first.month else None for d in week])
    earliest, latest = calendar_range(index, day_today)
    previous_month = add_months(first, -1)
    next_month = add_months(first, 1)
    return MonthCalendar(
        month=first,
        weeks=weeks,
        previous_month=previous_month if previous_month >= earliest else None,
        next_month=next_month if next_month <= latest else None,
    )


def month_in_range(index: Page, month: dt.date, on: dt.date | None = None) -> bool:
    earliest, latest = calendar_range(index, on)
    return earliest <= month <= latest


def event_when(event: EventPage) -> str:
    """日時 of an event as one line of plain text in the active language
    (「2026年12月1日（火）〜2026年12月3日（木） 10:00〜16:00」)."""
    day_format = _("Y年n月j日（D）")
    text = date_format(event.start_date, day_format)
    if event.end_date and event.end_date != event.start_date:
        text = _("%(start)s〜%(end)s") % {"start": text, "end": date_format(event.end_date, day_format)}
    if event.start_time:
        times = time_format(event.start_time, "G:i")
        if event.end_time:
            times = _("%(start)s〜%(end)s") % {"start": times, "end": time_format(event.end_time, "G:i")}
        text = f"{text} {times}"
    return text


# --- Places --------------------------------------------------------------------------------


def map_links(latitude: Decimal | None, longitude: Decimal | None) -> dict[str, str] | None:
    """Links to 地理院地図 and OpenStreetMap at the place (no map script or tiles load)."""
    if latitude is None or longitude is None:
        return None
    lat = f"{Decimal(latitude):.6f}"
    lon = f"{Decimal(longitude):.6f}"
    return {
        "latitude": lat,
        "longitude": lon,
        "gsi": GSI_MAP_URL.format(lat=lat, lon=lon),
        "osm": OSM_MAP_URL.format(lat=lat, lon=lon),
    }


# --- iCalendar (RFC 5545) -------------------------------------------------------------------


def ics_escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line
    breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1): CRLF and a space before each
    continuation, never inside a UTF-8 character (Japanese is three octets a character)."""
    parts: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > ICS_LINE_OCTETS:
            parts.append(current)
            current, size = "", 1  # the continuation's leading space counts
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(day: dt.date, time: dt.time) -> str:
    local = dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
    return local.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_ics(event: EventPage, *, url: str, host: str, description: str = "", now: dt.datetime | None = None) -> str:
    """The event as an iCalendar file (one VEVENT; CRLF line ends, escaped and folded).

    A day without times is an all-day event (DTEND is the day after, exclusive); times on
    an event of several days mean those times on each day (a daily RRULE), which is how
    the 日時 of a municipal event reads (「12月1日〜3日 10時〜16時」)."""
    stamp = (now or timezone.now()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    days = (event.last_date - event.start_date).days + 1
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//madoguchi//portal events//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{event.translation_key}@{host}",
        f"DTSTAMP:{stamp}",
    ]
    if event.start_time is None:
        lines.append(f"DTSTART;VALUE=DATE:{event.start_date:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{event.last_date + dt.timedelta(days=1):%Y%m%d}")
    else:
        lines.append(f"DTSTART:{_utc(event.start_date, event.start_time)}")
        if event.end_time is not None and event.end_time > event.start_time:
            lines.append(f"DTEND:{_utc(event.start_date, event.end_time)}")
        if days > 1:
            lines.append(f"RRULE:FREQ=DAILY;COUNT={days}")
    lines.append(f"SUMMARY:{ics_escape(event.title)}")
    location = ", ".join(part for part in (event.place_name, event.address) if part)
    if location:
        lines.append(f"LOCATION:{ics_escape(location)}")
    if event.latitude is not None and event.longitude is not None:
        lines.append(f"GEO:{Decimal(event.latitude):.6f};{Decimal(event.longitude):.6f}")
    if description:
        lines.append(f"DESCRIPTION:{ics_escape(description)}")
    lines.append(f"URL:{url}")
    if event.last_published_at:
        lines.append(f"LAST-MODIFIED:{event.last_published_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(ics_fold(line) + "\r\n" for line in lines)


# --- The pages' context (the index pages' routes and the pages' get_context) ---------------


def _public_url(request: HttpRequest, page: Page) -> str:
    url = page.get_url(request) or ""
    return public_path(request, url) if url else ""


def _with_public_urls(items: PaginatorPage | list[Any], request: HttpRequest) -> None:
    """Give each listed page its address as visitors see it (`public_url`)."""
    if isinstance(items, PaginatorPage):
        items.object_list = list(items.object_list)
        items = items.object_list
    for item in items:
        item.public_url = _public_url(request, item)


def _route_url(request: HttpRequest, index: RoutablePageMixin, name: str, *args: Any) -> str:
    base = _public_url(request, index)  # type: ignore[arg-type]
    return base + index.reverse_subpage(name, args=args).lstrip("/") if base else ""


def feed_link(request: HttpRequest, index: RoutablePageMixin, route: str) -> dict[str, str] | None:
    """The `<link rel="alternate" type="application/atom+xml">` of an index's feed."""
    url = _route_url(request, index, route)
    if not url:
        return None
    return {"url": absolute(request, url), "title": f"{index.title} (Atom)"}  # type: ignore[attr-defined]


def _query(**params: str | int | None) -> str:
    """A query string of the given parameters, leaving out empty ones and page 1 (the
    first page's address is the list's own)."""
    kept = {key: value for key, value in params.items() if value not in (None, "") and (key, value) != ("page", 1)}
    return f"?{urlencode(kept)}" if kept else ""


def news_list_context(index: NewsIndexPage, request: HttpRequest) -> dict[str, Any]:
    """The news list: `?category=` narrows it (an unknown category is said and ignored),
    `?page=` pages it."""
    category = request.GET.get("category", "").strip()
    error = ""
    if category and not is_news_category(category):
        error = _("指定された分類はありません。すべてのお知らせを表示しています。")
        category = ""
    page = paginate(news_below(index, category or None), request.GET.get("page"), NEWS_PER_PAGE)
    _with_public_urls(page, request)
    base = _public_url(request, index)
    categories = [
        {"value": value, "label": label, "url": base + _query(category=value), "current": value == category}
        for value, label in news_categories_in_use(index)
    ]
    return {
        "news": page,
        "category": category,
        "category_label": dict(news_categories_in_use(index)).get(category, ""),
        "categories": categories,
        "all_url": base,
        "filter_error": error,
        "previous_url": base + _query(category=category, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": base + _query(category=category, page=page.next_page_number()) if page.has_next() else "",
        "feed": feed_link(request, index, "news_feed"),
    }


def news_page_context(news: NewsPage, request: HttpRequest) -> dict[str, Any]:
    index = news.get_parent().specific
    return {
        "index_url": _public_url(request, index),
        "index_title": index.title,
        "feed": feed_link(request, index, "news_feed") if isinstance(index, RoutablePageMixin) else None,
    }


def _event_links(index: EventIndexPage, request: HttpRequest) -> dict[str, Any]:
    this_month = today()
    return {
        "upcoming_url": _public_url(request, index),
        "calendar_url": _route_url(request, index, "calendar"),
        "this_month_url": _route_url(request, index, "calendar_month", this_month.year, this_month.month),
        "past_url": _route_url(request, index, "past"),
        "feed": feed_link(request, index, "event_feed"),
    }


def upcoming_context(index: EventIndexPage, request: HttpRequest) -> dict[str, Any]:
    """Events to come: `?month=YYYY-MM` narrows them to one month (a wrong month is said
    and ignored), `?page=` pages them."""
    raw_month = request.GET.get("month", "").strip()
    month = parse_month(raw_month) if raw_month else None
    error = ""
    if raw_month and month is None:
        error = _("月の指定が正しくありません。「2026-04」のように年と月を指定してください。")
    page = paginate(upcoming_events(index, month=month), request.GET.get("page"), EVENTS_PER_PAGE)
    _with_public_urls(page, request)
    base = _public_url(request, index)
    month_value = f"{month:%Y-%m}" if month else ""
    return {
        **_event_links(index, request),
        "view": "upcoming",
        "events": page,
        "month": month,
        "month_value": month_value,
        "months": [(f"{m:%Y-%m}", m) for m in filter_months()],
        "filter_error": error,
        "previous_url": base + _query(month=month_value, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": base + _query(month=month_value, page=page.next_page_number()) if page.has_next() else "",
    }


def past_context(index: EventIndexPage, request: HttpRequest) -> dict[str, Any]:
    page = paginate(past_events(index), request.GET.get("page"), EVENTS_PER_PAGE)
    _with_public_urls(page, request)
    base = _route_url(request, index, "past")
    return {
        **_event_links(index, request),
        "view": "past",
        "events": page,
        "previous_url": base + _query(page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": base + _query(page=page.next_page_number()) if page.has_next() else "",
    }


def calendar_context(
    index: EventIndexPage, request: HttpRequest, year: int | None, month: int | None
) -> dict[str, Any] | None:
    """The month calendar; None (not found) for a month that does not exist or lies
    outside the range the calendar pages through."""
    if year is None or month is None:
        shown = today().replace(day=1)
    else:
        try:
            shown = dt.date(year, month, 1)
        except ValueError:
            return None
        if not month_in_range(index, shown):
            return None
    cal = month_calendar(index, shown, language=index.locale.language_code)
    _with_public_urls(list({event.pk: event for day in cal.days_with_events for event in day.events}.values()), request)

    def month_url(value: dt.date | None) -> str:
        return _route_url(request, index, "calendar_month", value.year, value.month) if value else ""

    return {
        **_event_links(index, request),
        "view": "calendar",
        "calendar": cal,
        "previous_url": month_url(cal.previous_month),
        "next_url": month_url(cal.next_month),
        "weekdays": WEEKDAYS,
    }


def event_page_context(event: EventPage, request: HttpRequest) -> dict[str, Any]:
    index = event.get_parent().specific
    links = _event_links(index, request) if isinstance(index, RoutablePageMixin) else {}
    return {
        **links,
        "index_url": _public_url(request, index),
        "index_title": index.title,
        "when": event_when(event),
        "is_past": event.is_past(),
        "map": map_links(event.latitude, event.longitude),
        "ics_url": _route_url(request, index, "ics", event.pk) if isinstance(index, RoutablePageMixin) else "",
    }


def event_ics_response(index: EventIndexPage, request: HttpRequest, event_id: int) -> HttpResponse:
    """The iCalendar file of an event below this index (never of another index's event)."""
    from ..models import EventPage

    event = _events_below(index).filter(pk=event_id).specific().first()
    if not isinstance(event, EventPage):
        raise Http404
    url = absolute(request, _public_url(request, event))
    description = "\n".join(part for part in (event.lead, event.schedule_note, url) if part)
    body = event_ics(event, url=url, host=request.get_host().split(":")[0], description=description)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
