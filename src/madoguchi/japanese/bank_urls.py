"""/banks/: names of banks and branches while their codes are typed (mounted by
madoguchi.urls)."""

from django.urls import path

from . import views

app_name = "banks"

urlpatterns = [
    path("lookup/bank/", views.bank_lookup, name="bank-lookup"),
    path("lookup/branch/", views.branch_lookup, name="branch-lookup"),
]
