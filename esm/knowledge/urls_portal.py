from django.urls import path

from esm.knowledge import views_portal

app_name = "help"
urlpatterns = [
    path("", views_portal.index, name="index"),
    path("suggest/", views_portal.suggest, name="suggest"),
    path("<slug:slug>/", views_portal.article, name="article"),
    path("<slug:slug>/solved/", views_portal.solved, name="solved"),
    path("<slug:slug>/thanks/", views_portal.thanks, name="thanks"),
]
