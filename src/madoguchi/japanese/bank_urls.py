"""/banks/: names of banks and branches while their codes are typed, and the pickers
that find a code by name (mounted by madoguchi.urls)."""

from django.urls import path

from . import views

app_name = "banks"

urlpatterns = [
    path("lookup/bank/", views.bank_lookup, name="bank-lookup"),
    path("lookup/branch/", views.branch_lookup, name="branch-lookup"),
    path("search/", views.bank_search, name="bank-search"),
    path("branches/search/", views.branch_search, name="branch-search"),
    path("choose/", views.choose, name="choose"),
]
