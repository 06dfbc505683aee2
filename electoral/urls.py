from django.urls import path

from electoral import views

app_name = "electoral"
urlpatterns = [
    path("", views.index, name="index"),
]
