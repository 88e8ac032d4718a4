from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("families/<id:family_id>/records/", views.family_records, name="family_records"),
    path("families/<id:family_id>/records/new/", views.record_choose, name="record_choose"),
    path(
        "families/<id:family_id>/records/new/<id:kind_id>/",
        views.record_add,
        name="record_add",
    ),
    path("records/<id:record_id>/correct/", views.record_correct, name="record_correct"),
    path("yours/records/", views.yours, name="yours"),
    path("record-kinds/", views.kinds, name="kinds"),
    path("record-kinds/<id:kind_id>/retire/", views.kind_retire, name="kind_retire"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<id:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<id:import_id>/confirm/", views.import_confirm, name="import_confirm"),
]
