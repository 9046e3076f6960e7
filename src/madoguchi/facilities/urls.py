"""/<municipality>/facilities/: one namespace for the residents' pages of facilities,
assembled from the URL modules of its parts."""

from __future__ import annotations

from . import booking_urls, catalog_urls, lottery_urls, opendata_urls, registration_urls

app_name = "facilities"

urlpatterns = [
    *registration_urls.urlpatterns,
    *booking_urls.urlpatterns,
    *lottery_urls.urlpatterns,
    *opendata_urls.urlpatterns,
    # Last: its patterns start with a facility's slug.
    *catalog_urls.urlpatterns,
]
