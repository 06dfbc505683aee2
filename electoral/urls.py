from django.urls import path

from electoral import views

app_name = "electoral"
urlpatterns = [
    path("", views.index, name="index"),
    path("electeurs/inscrire/", views.inscription, name="inscription"),
    path("electeurs/<int:pk>/", views.detail, name="detail"),
    path("electeurs/<int:pk>/modifier/", views.modification, name="modification"),
    path("electeurs/<int:pk>/radier/", views.radiation, name="radiation"),
    path("electeurs/<int:pk>/autre-liste/", views.inscription_liste, name="inscription_liste"),
    path("electeurs/<int:pk>/procuration/", views.procuration, name="procuration"),
    path("procurations/", views.procurations, name="procurations"),
    path(
        "procurations/<int:pk>/resilier/",
        views.procuration_resiliation,
        name="procuration_resiliation",
    ),
    path("scrutins/", views.scrutins, name="scrutins"),
    path("statistiques/", views.statistiques, name="statistiques"),
    path("jures/", views.jures, name="jures"),
    path("cartes-revenues/", views.cartes_revenues, name="cartes_revenues"),
    path("commission/", views.commission, name="commission"),
    path("commission/membres/<int:pk>/retrait/", views.membre_retrait, name="membre_retrait"),
    path("commission/reunions/<int:pk>/", views.reunion, name="reunion"),
    path("jures/<int:pk>/", views.tirage, name="tirage"),
    path("bureaux/", views.bureaux, name="bureaux"),
    path("bureaux/nouveau/", views.bureau_form, name="bureau_create"),
    path("bureaux/<int:pk>/", views.bureau_form, name="bureau_edit"),
    path("bureaux/<int:pk>/refonte/", views.bureau_refonte, name="bureau_refonte"),
    path("voies/", views.voies, name="voies"),
    path("voies/<int:pk>/", views.voie, name="voie"),
    path("decoupage/<int:pk>/supprimer/", views.decoupage_delete, name="decoupage_delete"),
    path("decoupage/controle/", views.controle, name="controle"),
    path("import-reu/", views.import_reu, name="import_reu"),
    path("import-reu/<int:pk>/", views.import_reu_detail, name="import_reu_detail"),
    path("import-reu/<int:pk>/decision/", views.import_reu_decision, name="import_reu_decision"),
]
