from django.contrib.auth import authenticate
from django.core.management import call_command

from mairie.demo import DEMO_PASSWORD
from mairie.models import Affectation, Collectivite


def test_demo_creates_two_collectivites_with_their_agents_and_prints_credentials(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert f"agent.saintmalo / {DEMO_PASSWORD}" in out
    assert f"admin / {DEMO_PASSWORD}" in out
    assert sorted(Collectivite.objects.values_list("code_insee", flat=True)) == ["2A004", "35288"]
    agent = authenticate(username="agent.intercommunal", password=DEMO_PASSWORD)
    assert Collectivite.objects.for_user(agent).count() == 2
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    assert admin.is_superuser


def test_running_demo_twice_duplicates_nothing(db):
    call_command("demo")
    counts = (Collectivite.objects.count(), Affectation.objects.count())
    call_command("demo")
    assert (Collectivite.objects.count(), Affectation.objects.count()) == counts
