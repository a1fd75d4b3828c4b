from django.contrib import admin
from django.urls import include, path

from esm.api.api import api

urlpatterns = [
    path("", include("esm.web.urls")),
    path("accounts/", include("esm.accounts.urls")),
    path("portal/", include("esm.cases.urls_portal")),
    path("desk/buildings/", include("esm.buildings.urls")),
    path("desk/mail/", include("esm.mail.urls")),
    path("desk/replies/", include("esm.replies.urls")),
    path("desk/kb/", include("esm.knowledge.urls")),
    path("help/", include("esm.knowledge.urls_portal")),
    path("desk/", include("esm.cases.urls_desk")),
    path("files/", include("esm.cases.urls_files")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
