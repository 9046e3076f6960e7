"""The website's menu pages in the header's primary navigation.

The child pages of the municipality's home page that editors mark "show in menus" are the
website's sections (くらし・手続, 子育て・教育 …); they appear in the primary navigation of
every page of that municipality, module pages included.
"""

from __future__ import annotations

from django.http import HttpRequest

from madoguchi.core.context_processors import public_path, request_language
from madoguchi.core.navigation import PRIMARY, NavLink

from .services import home_page_for

# Menu pages come after the modules' entries, in the order editors gave them.
MENU_PAGE_ORDER = 500


def menu_pages(request: HttpRequest, slot: str) -> list[NavLink]:
    municipality = getattr(request, "municipality", None)
    if slot != PRIMARY or municipality is None:
        return []
    home = home_page_for(municipality, request_language(request))
    if home is None:
        return []
    links = []
    for position, page in enumerate(home.get_children().live().in_menu()):
        url = page.get_url(request)
        if url:
            links.append(NavLink(label=page.title, url=public_path(request, url), order=MENU_PAGE_ORDER + position))
    return links
