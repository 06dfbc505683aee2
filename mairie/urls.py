from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mairie import views

admin.site.site_header = "Mairie — administration"
admin.site.site_title = "Mairie"
admin.site.index_title = "Paramètres de la collectivité"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("collectivite/choisir/", views.choose_collectivite, name="choose_collectivite"),
    path("aide/", views.aide, name="aide"),
    path("referentiel/communes/", views.commune_autocomplete, name="commune_autocomplete"),
    path("recensement/", include("recensement.urls")),
    path("elections/", include("electoral.urls")),
    path("exports/", include("exports.urls")),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]
