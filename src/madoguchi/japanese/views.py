"""Postal code → address autofill (htmx)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import postal


def postal_code_lookup(request: HttpRequest) -> HttpResponse:
    """Returns the address fields for a postal code as out-of-band swaps for htmx, or a
    message in the status region when the code is unknown."""
    prefix = request.GET.get("prefix", "")
    code = request.GET.get(f"{prefix}postal_code", "") or request.GET.get("postal_code", "")
    address = postal.lookup(code)
    return render(request, "japanese/postal_code_lookup.html", {"address": address, "prefix": prefix, "code": code})
