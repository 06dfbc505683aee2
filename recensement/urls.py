from django.urls import path

from recensement import views

app_name = "recensement"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau/", views.create, name="create"),
    path("trimestres/", views.trimestres, name="trimestres"),
    path("trimestres/numeroter/", views.numerotation, name="numerotation"),
    path("statistiques/", views.statistiques, name="statistiques"),
    path("demandes/", views.demandes_index, name="demandes"),
    path("demandes/<int:pk>/", views.demande_detail, name="demande_detail"),
    path("demandes/<int:pk>/pdf/", views.demande_pdf, name="demande_pdf"),
    path("demandes/<int:pk>/pieces/<int:piece>/", views.demande_piece, name="demande_piece"),
    path("demandes/<int:pk>/refuser/", views.demande_refuser, name="demande_refuser"),
    path("demandes/<int:pk>/valider/", views.demande_valider, name="demande_valider"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/supprimer/", views.delete, name="delete"),
    path("<int:pk>/attestation/", views.attestation, name="attestation"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/attestation/annuler/", views.attestation_cancel, name="attestation_cancel"),
]
