"""/postal-codes/: address autofill (mounted by madoguchi.urls)."""

from django.urls import path

from . import views

app_name = "japanese"

urlpatterns = [
    path("lookup/", views.postal_code_lookup, name="postal-code-lookup"),
]
