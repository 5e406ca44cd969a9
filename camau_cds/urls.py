from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from camau_cds import health, views
from core.api.errors import api_aware
from dashboards import methodology
from targets import urls as targets_urls

# The methodology page reads the attainment method, so it lives in `dashboards`; its address
# and name stay those of the targets pages (fixed words before indicator codes).
targets_patterns = [
    path("methodology/", methodology.methodology, name="methodology"),
    *targets_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers and bookmarks ask for /favicon.ico whatever the page links: the static icon
    # (lazy: the hashed name is read from the manifest on first use, not at import).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"))),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("divisions/", include("divisions.urls")),
    path("targets/", include((targets_patterns, targets_urls.app_name))),
    path("reports/", include("reports.urls")),
    path("teams/", include("teams.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("documents/", include("documents.urls")),
    path("api/", include("camau_cds.api.urls")),
    path("admin/", admin.site.urls),
]

# API addresses answer with the API's problem document, pages with the HTML error pages.
handler403 = api_aware(views.error_403, 403)
handler404 = api_aware(views.error_404, 404)
handler500 = api_aware(views.error_500, 500)

admin.site.site_header = "Cổng CĐS Cà Mau — quản trị"
admin.site.site_title = "Cổng CĐS Cà Mau"
