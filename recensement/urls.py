from django.urls import path

from recensement import views

app_name = "recensement"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau/", views.create, name="create"),
    path("trimestres/", views.trimestres, name="trimestres"),
    path("trimestres/numeroter/", views.numerotation, name="numerotation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/supprimer/", views.delete, name="delete"),
    path("<int:pk>/attestation/", views.attestation, name="attestation"),
    path("<int:pk>/attestation/annuler/", views.attestation_cancel, name="attestation_cancel"),
]
