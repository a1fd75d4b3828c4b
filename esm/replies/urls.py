from django.urls import path

from esm.replies import views

app_name = "replies"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("macros/new/", views.macro_create, name="macro_create"),
    path("macros/<int:pk>/", views.macro_edit, name="macro_edit"),
    path("macros/<int:pk>/delete/", views.macro_delete, name="macro_delete"),
    path("pick/", views.pick, name="pick"),
    path("apply/<str:number>/", views.apply, name="apply"),
    path("macros/case/<str:number>/", views.macros, name="macros"),
]
