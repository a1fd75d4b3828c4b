from django.urls import path

from esm.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("link/", views.link, name="link"),
    path("unlink/", views.unlink, name="unlink"),
    path("<slug:slug>/", views.article_detail, name="detail"),
    path("<slug:slug>/edit/", views.article_edit, name="edit"),
    path("<slug:slug>/history/", views.article_history, name="history"),
    path("<slug:slug>/history/<int:number>/", views.article_revision, name="revision"),
]
