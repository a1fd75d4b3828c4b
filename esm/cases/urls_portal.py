"""The customer portal: report, follow, reply, confirm or reopen (esm.cases.views.portal)."""

from django.urls import path

from esm.cases.views import portal

app_name = "portal"
urlpatterns = [
    path("", portal.home, name="home"),
    path("report/", portal.report, name="report"),
    path("report/buildings/", portal.building_search, name="building_search"),
    path("cases/<str:number>/", portal.case_detail, name="case"),
    path("cases/<str:number>/receipt/", portal.receipt, name="receipt"),
    path("cases/<str:number>/action/", portal.case_action, name="action"),
]
