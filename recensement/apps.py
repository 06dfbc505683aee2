from django.apps import AppConfig


class RecensementConfig(AppConfig):
    name = "recensement"
    verbose_name = "Recensement citoyen"

    def ready(self) -> None:
        from mairie import dashboard, pays
        from mairie.models import Role
        from recensement.models import (
            COUNTRY_CODE_FIELDS,
            DemandeEnLigne,
            Recense,
            current_quarter_count,
            pending_demandes_count,
            unnumbered_count,
        )

        for label, count, query in [
            ("Recensés du trimestre", current_quarter_count, ""),
            ("Recensés non numérotés", unnumbered_count, "numerote=non"),
        ]:
            dashboard.register(
                dashboard.Figure(label, Role.RECENSEMENT, count, "recensement:index", query)
            )
        dashboard.register(
            dashboard.Figure(
                "Demandes en ligne à traiter",
                Role.RECENSEMENT,
                pending_demandes_count,
                "recensement:demandes",
            )
        )
        # A request's data hold the registrant's fields under the same names.
        for code, name in COUNTRY_CODE_FIELDS:
            label = Recense._meta.get_field(code).verbose_name
            pays.register(pays.CountryCodeField(Recense, code, label, name))
            pays.register(
                pays.CountryCodeField(
                    DemandeEnLigne, f"donnees__{code}", label, name and f"donnees__{name}"
                )
            )
