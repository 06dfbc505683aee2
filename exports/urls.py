from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("generer/<slug:kind>/", views.generate, name="generate"),
    path("<int:pk>/telecharger/", views.download, name="download"),
    path("<int:pk>/etat/", views.status, name="status"),
    path("<int:pk>/portail/", views.portal_state, name="portal_state"),
]
