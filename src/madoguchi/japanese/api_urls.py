"""/api/v1/postal-codes/ (included by madoguchi.api.urls)."""

from django.urls import path

from .api import PostalCodeView

urlpatterns = [
    path("<str:code>/", PostalCodeView.as_view(), name="api-postal-code"),
]
