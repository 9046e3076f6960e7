"""URL map of the deployment.

- `/` and `/en/`: the municipalities of the deployment.
- `/<slug>/…` and `/en/<slug>/…`: everything of one municipality; its home page and the
  website are Wagtail pages, module pages are listed in `municipality_patterns`.
- `/staff/`: the staff console (Wagtail admin); `/django-admin/`: the operator's admin.
- `/api/v1/`: the REST API and its OpenAPI document.
"""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from madoguchi.api.exceptions import not_found as api_not_found
from madoguchi.core import health
from madoguchi.core import views as core_views

admin.autodiscover()
# The operator signs in like everyone else: through allauth, with a second factor.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "madoguchi"
# Django's admin is the deployment operator's alone; staff work in the console (/staff/).
admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser
)

# Pages of one municipality, under /<slug>/. Each module adds its own prefix here.
municipality_patterns: list = [
    path("procedures/", include("madoguchi.procedures.urls")),
    path("payments/", include("madoguchi.payments.urls")),
    path("facilities/", include("madoguchi.facilities.urls")),
    # The website's search, feedback and open data (its pages are Wagtail's, below).
    path("", include("madoguchi.portal.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("django-admin/", admin.site.urls),
    path("staff/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("madoguchi.api.urls")),
    # Any other /api/ address answers in the API's JSON error format, not with an HTML page.
    re_path(r"^api/", api_not_found),
    # Server-to-server notifications of payment gateways, and the sandbox gateway itself.
    path("payment-gateways/", include("madoguchi.payments.gateway_urls")),
    path("sandbox-gateway/", include("madoguchi.paysandbox.urls")),
    # The demo signing app (公的個人認証 played by madoguchi; off in production).
    path("signing-sandbox/", include("madoguchi.procedures.sandbox_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("robots.txt", core_views.robots_txt, name="robots-txt"),
    path("sitemap.xml", include("madoguchi.portal.sitemap_urls")),
    path("favicon.ico", core_views.favicon),
    path("apple-touch-icon.png", core_views.apple_touch_icon),
    path("apple-touch-icon-precomposed.png", core_views.apple_touch_icon),
]

urlpatterns += i18n_patterns(
    path("", core_views.deployment_index, name="deployment-index"),
    path("preferences/display/", core_views.set_display_preferences, name="display-preferences"),
    path("accounts/", include("madoguchi.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("postal-codes/", include("madoguchi.japanese.urls")),
    path("banks/", include("madoguchi.japanese.bank_urls")),
    # Availability across every municipality of the deployment.
    path("facilities/", include("madoguchi.facilities.deployment_urls")),
    path("<slug:municipality_slug>/", include(municipality_patterns)),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "madoguchi.core.views.bad_request"
handler403 = "madoguchi.core.views.permission_denied"
handler404 = "madoguchi.core.views.page_not_found"
handler500 = "madoguchi.core.views.server_error"
