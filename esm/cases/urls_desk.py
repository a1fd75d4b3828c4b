from django.urls import path

from esm.cases.views import desk, maintenance, unattended

app_name = "desk"
urlpatterns = [
    path("", desk.queue, name="queue"),
    path("bulk-assign/", desk.bulk_assign, name="bulk_assign"),
    path("cases/<str:number>/", desk.case_detail, name="case"),
    path("cases/<str:number>/reply/", desk.reply, name="reply"),
    path("cases/<str:number>/note/", desk.note, name="note"),
    path("cases/<str:number>/phone/", desk.phone_note, name="phone_note"),
    path("cases/<str:number>/action/", desk.action, name="action"),
    path("cases/<str:number>/assign/", desk.assign, name="assign"),
    path("cases/<str:number>/update/", desk.update, name="update"),
    path("cases/<str:number>/watchers/", desk.watch, name="watch"),
    path("cases/<str:number>/time/", desk.correct_time, name="correct_time"),
    path("cases/<str:number>/heartbeat/", desk.heartbeat, name="heartbeat"),
    path("maintenance/", maintenance.calendar, name="maintenance"),
    path("unattended/", unattended.unattended, name="unattended"),
    path("unattended/reassign/", unattended.reassign, name="unattended_reassign"),
]
