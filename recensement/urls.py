from django.urls import path

from recensement import views

app_name = "recensement"
urlpatterns = [
    path("", views.index, name="index"),
]
