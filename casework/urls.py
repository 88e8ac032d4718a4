from django.urls import path  # noqa: F401 - each part adds its own pages

app_name = "casework"

urlpatterns: list = []
