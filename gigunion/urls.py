from django.urls import include, path

from gigunion.api.urls import api
from gigunion.office.views import root_redirect

urlpatterns = [
    path("", root_redirect, name="root"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("office/", include("gigunion.office.urls")),
    path("m/", include("gigunion.mobile.urls")),
    path("api/v1/", api.urls),
]

handler404 = "gigunion.office.views.page_not_found"
handler403 = "gigunion.office.views.permission_denied"
handler500 = "gigunion.office.views.server_error"
