from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tenants import views as web
from tenants.api.docs import ApiDocsView, ApiSchemaView

urlpatterns = [
    path("", web.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", web.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_set.html", success_url="/accounts/login/"
        ),
        name="password_reset_confirm",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_v1")),
    path("calendar/", include("checklist.reviews.views")),
    path("integrations/", include("integrations.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)

handler400 = "tenants.views.bad_request"
handler404 = "tenants.views.not_found"
handler500 = "tenants.views.server_error"
