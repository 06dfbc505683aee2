from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from mairie.models import Affectation, Collectivite, Commune, Departement, Pays, Region, Role


class AffectationInline(admin.TabularInline):
    model = Affectation
    extra = 0
    autocomplete_fields = ["collectivite"]


@admin.register(Collectivite)
class CollectiviteAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "code_insee", "departement", "maire_nom", "responsable_nom"]
    search_fields = ["nom", "code_insee"]
    fieldsets = [
        ("Commune", {"fields": ["code_insee", "departement", "nom", "sceau"]}),
        ("Mairie", {"fields": ["adresse", "code_postal", "telephone", "courriel"]}),
        ("Maire", {"fields": ["maire_nom", "maire_prenom"]}),
        (
            "Responsable recensement (en-tête du fichier PECOTO)",
            {
                "fields": [
                    "responsable_nom",
                    "responsable_prenom",
                    "responsable_qualite",
                    "responsable_telephone",
                    "responsable_courriel",
                ]
            },
        ),
        (
            "Cartes électorales (impression sur le papier pré-imprimé)",
            {"fields": ["carte_decalage_horizontal", "carte_decalage_vertical"]},
        ),
        ("Données personnelles", {"fields": ["duree_conservation_recensement"]}),
    ]

    # A staff agent edits the collectivités where they are responsable, without extra permissions.
    def _responsable_of(self, request: HttpRequest):
        if not request.user.is_staff:
            return Collectivite.objects.none()
        return Collectivite.objects.filter(
            affectations__user=request.user, affectations__role=Role.RESPONSABLE
        )

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=self._responsable_of(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._responsable_of(request).exists()

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        allowed = self._responsable_of(request)
        return (allowed.filter(pk=obj.pk) if obj else allowed).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Affectation)
class AffectationAdmin(SimpleHistoryAdmin):
    list_display = ["user", "collectivite", "role"]
    list_filter = ["role", "collectivite"]
    search_fields = ["user__username", "user__last_name", "collectivite__nom"]
    autocomplete_fields = ["user", "collectivite"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AgentAdmin(UserAdmin):
    inlines = [AffectationInline]


class ReferenceAdmin(admin.ModelAdmin):
    """INSEE data changes only through `manage.py import_cog`."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Commune)
class CommuneAdmin(ReferenceAdmin):
    list_display = ["code", "libelle", "typecom", "departement_code", "comparent"]
    list_filter = ["typecom"]
    search_fields = ["code", "recherche", "libelle"]


@admin.register(Departement)
class DepartementAdmin(ReferenceAdmin):
    list_display = ["code", "libelle", "region_code", "cheflieu"]
    search_fields = ["code", "libelle"]


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ["code", "libelle", "cheflieu"]
    search_fields = ["code", "libelle"]


@admin.register(Pays)
class PaysAdmin(ReferenceAdmin):
    list_display = ["code", "libenr", "rattachement", "codeiso2", "codeiso3", "actual"]
    list_filter = ["actual"]
    search_fields = ["code", "libenr", "libcog", "codeiso2", "codeiso3"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_rattachement()

    @admin.display(description="pays de rattachement", ordering="rattachement")
    def rattachement(self, obj: Pays) -> str:
        if not obj.crpay:
            return ""
        return f"{obj.rattachement} ({obj.crpay})" if obj.rattachement else obj.crpay


# django-tasks-db's admin is in English and shows the raw arguments and tracebacks of background
# tasks; the exports page already says where each export stands, in French.
admin.site.unregister(DBTaskResult)
