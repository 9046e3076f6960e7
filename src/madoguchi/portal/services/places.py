"""What the website shows about a place (tourism spot, shop, business site, event venue):
its address, links to 地理院地図 and OpenStreetMap at its position, its phone as a `tel:`
link, its website, and its opening hours written out for the reader's language.

No map script or tile is loaded (the Content-Security-Policy allows none): the reader
follows a link to the map of their choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from madoguchi.core.templatetags.madoguchi_ui import tel_href

GSI_MAP_URL = "https://maps.gsi.go.jp/#17/{lat}/{lon}/"
OSM_MAP_URL = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

#: Weekdays as editors write them (see models.places.validate_weekdays), Monday first.
WEEKDAY_ORDER = "月火水木金土日祝"


@dataclass(frozen=True)
class MapLinks:
    latitude: str
    longitude: str
    gsi: str
    osm: str


@dataclass
class PlaceFacts:
    """One place as `portal/includes/place_details.html` shows it.

    `hours` are (label, value) rows of the place's opening hours; `hours_heading` names
    them (開館時間 for a tourism spot, 営業時間 for a shop); both empty when unknown."""

    postal_code: str = ""
    address: str = ""
    map: MapLinks | None = None
    phone: str = ""
    phone_href: str = ""
    website: str = ""
    hours_heading: str = ""
    hours: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_location(self) -> bool:
        return bool(self.address or self.map or self.phone or self.website)


def map_links(latitude: Decimal | float | str | None, longitude: Decimal | float | str | None) -> MapLinks | None:
    """Links to 地理院地図 and OpenStreetMap at a position (None when it is not known)."""
    if latitude is None or longitude is None or latitude == "" or longitude == "":
        return None
    lat = f"{Decimal(str(latitude)):.6f}"
    lon = f"{Decimal(str(longitude)):.6f}"
    return MapLinks(lat, lon, GSI_MAP_URL.format(lat=lat, lon=lon), OSM_MAP_URL.format(lat=lat, lon=lon))


def _weekday_name(day: str) -> str:
    names = {
        "月": pgettext("weekday", "月"),
        "火": pgettext("weekday", "火"),
        "水": pgettext("weekday", "水"),
        "木": pgettext("weekday", "木"),
        "金": pgettext("weekday", "金"),
        "土": pgettext("weekday", "土"),
        "日": pgettext("weekday", "日"),
        "祝": pgettext("weekday", "祝"),
    }
    return names.get(day, day)


def weekdays_text(value: str) -> str:
    """「月火水木金」 (or 「月,火,水,木,金」) → 「月・火・水・木・金」 (“Mon, Tue, Wed, Thu, Fri” in
    English); every day of the week → 「毎日」. Days are put in calendar order."""
    days = [d for d in (value or "") if d not in ",、 　"]
    if not days:
        return ""
    ordered = sorted(dict.fromkeys(days), key=lambda d: WEEKDAY_ORDER.find(d) if d in WEEKDAY_ORDER else 99)
    separator = pgettext("list separator", "・")
    if set("月火水木金土日") <= set(ordered):
        # Every day of the week reads better as one word; holidays stay named after it.
        return separator.join([_("毎日"), *(_weekday_name(d) for d in ordered if d not in "月火水木金土日")])
    return separator.join(_weekday_name(d) for d in ordered)


def clock(value: dt.time) -> str:
    """9:00, 17:30 (24-hour clock, as Japanese public notices write it)."""
    return f"{value.hour}:{value:%M}"


def time_range(start: dt.time | None, end: dt.time | None) -> str:
    """9:00–17:00, or one end alone (「9:00から」「17:00まで」)."""
    if start and end:
        return f"{clock(start)}–{clock(end)}"
    if start:
        return _("%(time)sから") % {"time": clock(start)}
    if end:
        return _("%(time)sまで") % {"time": clock(end)}
    return ""


def place_hours(place: Any) -> tuple[str, list[tuple[str, str]]]:
    """(heading, rows) of a place's opening hours, from the fields its page type has."""
    rows: list[tuple[str, str]] = []
    if hasattr(place, "open_weekdays"):  # a tourism spot
        if days := weekdays_text(place.open_weekdays):
            rows.append((_("開館日"), days))
        if times := time_range(place.opening_time, place.closing_time):
            rows.append((_("開館時間"), times))
        if place.hours_note:
            rows.append((_("休館日・補足"), place.hours_note))
        return (_("開館日・開館時間") if rows else "", rows)
    if hasattr(place, "opening_hours"):  # a shop or a shopping street
        if place.opening_hours:
            rows.append((_("営業時間"), place.opening_hours))
        if place.closed_days:
            rows.append((_("定休日"), place.closed_days))
        return (_("営業時間・定休日") if rows else "", rows)
    return ("", rows)


def place_facts(place: Any) -> PlaceFacts:
    """What `place_details.html` shows about a page with `PlaceFields`."""
    heading, hours = place_hours(place)
    return PlaceFacts(
        postal_code=getattr(place, "postal_code", "") or "",
        address=getattr(place, "address", "") or "",
        map=map_links(getattr(place, "latitude", None), getattr(place, "longitude", None)),
        phone=getattr(place, "phone", "") or "",
        phone_href=tel_href(getattr(place, "phone", "") or ""),
        website=getattr(place, "website", "") or "",
        hours_heading=heading,
        hours=hours,
    )


def area_text(square_metres: Decimal | None) -> str:
    """100000.00 → 「100,000㎡（10.00ha）」: the area in ㎡ and, from 1 ha, in hectares."""
    if square_metres is None:
        return ""
    m2 = number_format(square_metres.normalize() if square_metres % 1 else int(square_metres), force_grouping=True)
    if square_metres >= 10000:
        ha = number_format((square_metres / 10000).quantize(Decimal("0.01")), decimal_pos=2, force_grouping=True)
        return _("%(m2)s㎡（%(ha)sha）") % {"m2": m2, "ha": ha}
    return _("%(m2)s㎡") % {"m2": m2}
