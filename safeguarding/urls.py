from django.urls import path

from . import views

app_name = "safeguarding"

urlpatterns = [
    path("", views.concern_list, name="list"),
    path("tell-us/", views.raise_own, name="raise_own"),
    path("families/<id:family_id>/new/", views.raise_about_family, name="raise_about_family"),
    path("duty/", views.duty_rota, name="duty"),
    path("yours/", views.raised, name="raised"),
    path("yours/<id:concern_id>/", views.receipt, name="receipt"),
    path("<id:concern_id>/", views.concern_detail, name="detail"),
    path("<id:concern_id>/decision/", views.concern_decide, name="decide"),
]
