from django.urls import reverse

from mairie.models import Collectivite


def make_staff(side):
    side.agent.is_staff = True
    side.agent.save()
    return side.client


def test_a_staff_responsable_sees_only_their_collectivite(side_a, side_b):
    client = make_staff(side_a)
    page = client.get(reverse("admin:mairie_collectivite_changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [side_a.collectivite]
    other = reverse("admin:mairie_collectivite_change", args=[side_b.collectivite.pk])
    assert client.get(other).status_code == 302  # the admin's "object does not exist" redirect
    assert Collectivite.objects.get(pk=side_b.collectivite.pk).nom == "Ajaccio"


def test_the_admin_edits_the_settings_in_french_and_keeps_who_changed_them(side_a):
    client = make_staff(side_a)
    url = reverse("admin:mairie_collectivite_change", args=[side_a.collectivite.pk])
    page = client.get(url)
    assert "Responsable recensement (en-tête du fichier PECOTO)" in page.text
    assert "Enregistrer" in page.text
    form = {
        "code_insee": "35288",
        "departement": "035",
        "nom": "Saint-Malo",
        "adresse": "Place Chateaubriand",
        "code_postal": "35400",
        "telephone": "",
        "courriel": "",
        "maire_nom": "LE GALL",
        "maire_prenom": "Anne",
        "responsable_nom": "MARTIN",
        "responsable_prenom": "Sophie",
        "responsable_qualite": "Adjoint administratif",
        "responsable_telephone": "0299406200",
        "responsable_courriel": "recensement@saint-malo.example",
        "duree_conservation_recensement": "5",
        "carte_decalage_horizontal": "1.5",
        "carte_decalage_vertical": "0",
    }
    assert client.post(url, form).status_code == 302
    latest = side_a.collectivite.history.first()
    assert (latest.maire_nom, latest.history_user) == ("LE GALL", side_a.agent)

    bad = client.post(url, {**form, "code_insee": "20004", "responsable_telephone": "12"})
    assert "Code INSEE invalide" in bad.text
    assert "10 chiffres" in bad.text


def test_reference_data_is_read_only_in_the_admin(side_a):
    client = make_staff(side_a)
    assert client.get(reverse("admin:mairie_commune_add")).status_code == 403


def test_the_country_admin_names_the_country_of_a_territory(side_a, cog):
    side_a.agent.is_superuser = True
    client = make_staff(side_a)
    page = client.get(reverse("admin:mairie_pays_changelist"), {"q": "99158"})
    assert page.status_code == 200
    assert "Danemark (99101)" in page.text
    assert "territoire ayant son code propre" in page.text


def test_the_superusers_admin_has_no_english_tasks_section(side_a):
    from django.conf import settings

    side_a.agent.is_staff = side_a.agent.is_superuser = True
    side_a.agent.save()
    index = side_a.client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "Collectivités" in index.text
    for english in ("Tasks", "Task Results", "Task results"):
        assert english not in index.text
    tasks = f"/{settings.ADMIN_URL}django_tasks_database/dbtaskresult/"
    assert side_a.client.get(tasks).status_code == 404
