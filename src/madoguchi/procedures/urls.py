"""/<municipality>/procedures/: one namespace for the residents' pages of procedures,
assembled from the URL modules of its parts."""

from __future__ import annotations

from . import applicant_urls, lifeevent_urls, resident_urls, signing_urls

app_name = "procedures"

urlpatterns = [
    *resident_urls.urlpatterns,
    *applicant_urls.urlpatterns,
    *signing_urls.urlpatterns,
    *lifeevent_urls.urlpatterns,
]
