"""Shared fixtures: two collectivités, A and B, each with its agents, so that every test can
check isolation for free."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from mairie.models import Collectivite, Role
from mairie.services import import_cog
from tests.factories import AffectationFactory, CollectiviteFactory, UserFactory


@dataclass
class Side:
    collectivite: Collectivite
    agent: object  # responsable: both jobs
    client: Client  # logged in as `agent`


def _side(code: str, nom: str, username: str) -> Side:
    collectivite = CollectiviteFactory(code_insee=code, nom=nom)
    agent = UserFactory(username=username)
    AffectationFactory(user=agent, collectivite=collectivite, role=Role.RESPONSABLE)
    client = Client()
    client.force_login(agent)
    return Side(collectivite, agent, client)


@pytest.fixture
def side_a(db) -> Side:
    return _side("35288", "Saint-Malo", "agent.a")


@pytest.fixture
def side_b(db) -> Side:
    return _side("2A004", "Ajaccio", "agent.b")


def agent_with_role(collectivite: Collectivite, role: str, username: str) -> Client:
    user = UserFactory(username=username)
    AffectationFactory(user=user, collectivite=collectivite, role=role)
    client = Client()
    client.force_login(user)
    return client


TEST_COG = Path(__file__).parent / "data" / "cog"


@pytest.fixture
def cog(db) -> None:
    """A few communes and countries of the INSEE reference, for forms that resolve places."""
    import_cog({"communes": TEST_COG / "communes.csv", "pays": TEST_COG / "pays.csv"})


@pytest.fixture
def object_storage(settings, tmp_path):
    """Kept files in a storage that is no local folder, as an S3-compatible object store is:
    what the code reads and writes must go through the storage API. MEDIA_ROOT, a folder of the
    test's own, stays empty of kept files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return settings.MEDIA_ROOT


def kept_files(media_root: Path) -> list[str]:
    """The files kept in a local folder (none when the storage is another)."""
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def stored(name: str) -> bytes:
    """A kept file's bytes, read through the storage."""
    with default_storage.open(name) as file:
        return file.read()
