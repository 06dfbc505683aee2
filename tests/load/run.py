"""Load test: gunicorn workers and the task worker on a throwaway PostgreSQL database, agents
creating, editing and searching registrants and voters while exports and a numbering run.

    python tests/load/run.py [--duration 60] [--agents 8] [--workers 4]
                             [--server postgres://postgres@127.0.0.1:5432] [--database NAME]

Not part of the test suite (pytest collects test_*.py only): `make loadtest` runs it. It prints
requests, errors and latencies per kind, then checks that every acknowledged write (a redirect
after a create or edit) is in the database and that every finished export's SHA-256 matches its
file; it exits non-zero on any error, and drops its database at the end.
"""

import argparse
import datetime
import hashlib
import http.client
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PASSWORD = "demo-mairie-2026"
AGENT = "agent.saintmalo"  # responsable of Saint-Malo: both jobs
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BUREAU_OPTION = re.compile(r'<select name="bureau".*?</select>', re.S)
OPTION_VALUE = re.compile(r'<option value="(\d+)"')


# -- The throwaway installation --------------------------------------------------------------


def sql(server: str, statement: str) -> None:
    import psycopg2

    parts = urlsplit(server)
    db = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password or None,
        dbname="postgres",
    )
    try:
        db.autocommit = True  # CREATE and DROP DATABASE refuse a transaction
        with db.cursor() as cursor:
            cursor.execute(statement)
    finally:
        db.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


# -- An agent's browser ----------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


class Browser:
    """One agent's session over plain HTTP, as behind the HTTPS proxy of a real installation
    (X-Forwarded-Proto), keeping its cookies and the CSRF token like a browser."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self, kind: str, method: str, path: str, data: dict | None = None, expect: int = 200
    ) -> tuple[int, str, str]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.stats.record(kind, time.perf_counter() - start, f"{path}: {error!r}")
            return 0, "", ""
        elapsed = time.perf_counter() - start
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        error = ""
        if response.status != expect:
            error = f"{method} {path} → {response.status} (attendu {expect})"
            if response.status == 200:
                pattern = r"(?:invalid-feedback|alert-danger)[^>]*>\s*([^<]+)<"
                found = re.findall(pattern, text)[:3]
                error += f" {found}"
        self.stats.record(kind, elapsed, error)
        return response.status, response.getheader("Location") or "", text

    def token(self, page: str) -> str:
        match = TOKEN.search(page)
        return match.group(1) if match else ""

    def post_form(self, kind: str, path: str, data: dict, expect: int = 302):
        _, _, page = self.request(f"{kind} (page)", "GET", path)
        return self.request(
            kind, "POST", path, {**data, "csrfmiddlewaretoken": self.token(page)}, expect=expect
        )

    def login(self) -> None:
        status, _, _ = self.post_form(
            "connexion", "/connexion/", {"username": AGENT, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit("Connexion impossible : la suite du test n'aurait pas de sens.")


# -- What the agents do ----------------------------------------------------------------------


def registrant(name: str, today: datetime.date) -> dict:
    born = today.replace(year=today.year - 16) - datetime.timedelta(days=20)
    return {
        "date_recensement": today.isoformat(),
        "sexe": "F",
        "nom_naissance": name,
        "prenoms": "Chloé Marie",
        "date_naissance": born.isoformat(),
        "naissance_ou": "france",
        "naissance_commune_saisie": "Saint-Malo (35288)",
        "nationalite": "N",
        "domicile_numero": "12",
        "domicile_voie": "Rue des Lilas",
        "domicile_code_postal": "35400",
        "domicile_commune_saisie": "Saint-Malo (35288)",
        "residence_identique": "on",
        "telephone_portable": "06 12 34 56 78",
        "pere_nom": name,
        "pere_prenoms": "Jean",
        "pere_nationalite": "99100",
        "pere_naissance_ou": "france",
        "mere_nom": "MARTIN",
        "mere_prenoms": "Anne",
        "mere_nationalite": "99100",
        "mere_naissance_ou": "france",
        "nombre_freres_soeurs": "1",
        "situation_familiale": "C",
        "nombre_enfants": "0",
        "pupille": "0",
        "situation_scolaire": "S",
        "etablissement": "Lycée Jacques Cartier",
        "diplome": "01",
        "profession": "",
    }


def voter(name: str, bureau: str, today: datetime.date) -> dict:
    return {
        "sexe": "M",
        "nom_naissance": name,
        "prenoms": "Paul",
        "date_naissance": "1970-04-02",
        "naissance_ou": "france",
        "naissance_commune_saisie": "Rennes (35238)",
        "numero_voie": "7",
        "libelle_voie": "Rue de la Charge",
        "code_postal": "35400",
        "ville": "Saint-Malo",
        "complement1": "",
        "liste": "p",
        "motif": "volontaire",
        "date_effet": today.isoformat(),
        "bureau": bureau,
    }


@dataclass
class Acknowledged:
    """Writes the server confirmed with a redirect, as the agents expect to find them."""

    recenses: dict[int, dict] = field(default_factory=dict)  # pk -> {field: value}
    electeurs: dict[int, dict] = field(default_factory=dict)
    exports: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def detail_pk(location: str) -> int | None:
    match = re.search(r"/(\d+)/$", location)
    return int(match.group(1)) if match else None


def agent_loop(number: int, port: int, stop: float, stats: Stats, acks: Acknowledged) -> None:
    rng = random.Random(number)
    browser = Browser(port, stats)
    browser.login()
    today = datetime.date.today()
    _, _, page = browser.request("inscription (page)", "GET", "/elections/electeurs/inscrire/")
    bureaux = OPTION_VALUE.findall((BUREAU_OPTION.search(page) or re.match("", "")).group(0))
    mine_r: dict[int, dict] = {}
    mine_e: dict[int, dict] = {}
    counter = 0
    while time.monotonic() < stop:
        counter += 1
        name = f"CHARGE-{number}-{counter}"
        action = rng.choices(
            [
                "recense",
                "edit_recense",
                "search_recense",
                "electeur",
                "edit_electeur",
                "search_electeur",
            ],
            weights=[3, 2, 3, 3, 2, 3],
        )[0]
        if action == "recense":
            data = registrant(name, today)
            status, location, _ = browser.post_form(
                "recensé : création", "/recensement/nouveau/", data
            )
            if status == 302 and (pk := detail_pk(location)):
                mine_r[pk] = data
                with acks.lock:
                    acks.recenses[pk] = {"nom_naissance": name, "profession": ""}
        elif action == "edit_recense" and mine_r:
            pk = rng.choice(list(mine_r))
            data = {**mine_r[pk], "profession": f"Métier {counter}"}
            status, _, _ = browser.post_form(
                "recensé : modification", f"/recensement/{pk}/modifier/", data
            )
            if status == 302:
                mine_r[pk] = data
                with acks.lock:
                    acks.recenses[pk]["profession"] = data["profession"]
        elif action == "search_recense":
            query = urlencode({"q": f"CHARGE-{rng.randrange(8)}"})
            browser.request("recensés : recherche", "GET", f"/recensement/?{query}")
        elif action == "electeur" and bureaux:
            data = voter(name, rng.choice(bureaux), today)
            status, location, _ = browser.post_form(
                "électeur : inscription", "/elections/electeurs/inscrire/", data
            )
            if status == 302 and (pk := detail_pk(location)):
                mine_e[pk] = data
                with acks.lock:
                    acks.electeurs[pk] = {"nom_naissance": name, "complement1": ""}
        elif action == "edit_electeur" and mine_e:
            pk = rng.choice(list(mine_e))
            # Same street, no voie of the découpage: the voter stays in their bureau.
            data = {**mine_e[pk], "motif": "adresse", "complement1": f"Bâtiment {counter}"}
            status, _, _ = browser.post_form(
                "électeur : modification", f"/elections/electeurs/{pk}/modifier/", data
            )
            if status == 302:
                mine_e[pk] = {**data, "motif": "volontaire"}
                with acks.lock:
                    acks.electeurs[pk]["complement1"] = data["complement1"]
        elif action == "search_electeur":
            query = urlencode({"q": f"CHARGE-{rng.randrange(8)}"})
            browser.request("électeurs : recherche", "GET", f"/elections/?{query}")


def office_loop(port: int, stop: float, stats: Stats, acks: Acknowledged) -> None:
    """The responsable: numbers the last quarter, then exports its PECOTO file again and again
    while numbering the current quarter, where the agents are adding registrants."""
    browser = Browser(port, stats)
    browser.login()
    today = datetime.date.today()
    quarter = (today.month - 1) // 3 + 1
    last = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)

    def numeroter(annee: int, trimestre: int) -> None:
        _, _, page = browser.request("trimestres (page)", "GET", "/recensement/trimestres/")
        browser.request(
            "numérotation",
            "POST",
            "/recensement/trimestres/numeroter/",
            {"annee": annee, "trimestre": trimestre, "csrfmiddlewaretoken": browser.token(page)},
            expect=302,
        )

    numeroter(*last)
    while time.monotonic() < stop:
        _, _, page = browser.request("exports (page)", "GET", "/exports/")
        status, location, _ = browser.request(
            "export PECOTO : lancement",
            "POST",
            "/exports/generer/pecoto/",
            {"annee": last[0], "trimestre": last[1], "csrfmiddlewaretoken": browser.token(page)},
            expect=302,
        )
        if status == 302 and "?" in location:  # refused: the page says why
            _, _, page = browser.request("exports (page)", "GET", location)
            reason = re.findall(r"alert-danger[^>]*>\s*([^<]+)", page)[:1]
            stats.record("export PECOTO : lancement", 0, f"export refusé {reason}")
        elif status == 302:
            with acks.lock:
                acks.exports += 1
        numeroter(today.year, quarter)
        time.sleep(5)


# -- Checks and report -----------------------------------------------------------------------


def check(env: dict, acks: Acknowledged, deadline: float) -> list[str]:
    """Every acknowledged write is stored; every finished export matches its file."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.storage import default_storage

    from electoral.models import Electeur
    from exports.models import Export, Statut
    from recensement.models import Recense

    problems = []
    while Export.objects.filter(statut__in=[Statut.EN_ATTENTE, Statut.EN_COURS]).exists():
        if time.monotonic() > deadline:
            problems.append("exports encore en attente après le délai")
            break
        time.sleep(1)
    for model, acked in ((Recense, acks.recenses), (Electeur, acks.electeurs)):
        stored = {
            row["pk"]: row
            for row in model.objects.filter(pk__in=acked).values(
                "pk", *next(iter(acked.values()), {}).keys()
            )
        }
        for pk, expected in acked.items():
            row = stored.get(pk)
            if row is None:
                problems.append(f"{model.__name__} {pk} confirmé mais absent")
            elif any(row[name] != value for name, value in expected.items()):
                problems.append(f"{model.__name__} {pk} : {row} au lieu de {expected}")
    exports = Export.objects.filter(kind="pecoto")
    finished = exports.filter(statut=Statut.TERMINE)
    for export in finished:
        if not default_storage.exists(export.fichier):
            problems.append(f"export {export.pk} : fichier absent")
            continue
        with default_storage.open(export.fichier) as file:
            if hashlib.sha256(file.read()).hexdigest() != export.sha256:
                problems.append(f"export {export.pk} : SHA-256 différent du fichier")
    for export in exports.exclude(statut=Statut.TERMINE):
        problems.append(f"export {export.pk} : {export.statut} {export.erreur[:200]}")
    if exports.count() != acks.exports:
        problems.append(f"{acks.exports} exports lancés, {exports.count()} enregistrés")
    print(
        f"Vérification : {len(acks.recenses)} recensés, {len(acks.electeurs)} électeurs "
        f"confirmés ; {finished.count()} exports terminés sur {acks.exports} lancés."
    )
    return problems


def report(stats: Stats, duration: float) -> None:
    total = sum(len(v) for v in stats.latencies.values())
    print(
        f"\n{total} requêtes en {duration:.0f} s ({total / duration:.1f}/s), "
        f"{len(stats.errors)} erreur(s)"
    )
    print(f"{'type':34} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in sorted(stats.latencies.items()):
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{kind:34} {len(values):6d} {statistics.median(values) * 1000:8.0f} "
            f"{p95 * 1000:8.0f} {values[-1] * 1000:8.0f}"
        )
    for error in stats.errors[:20]:
        print("  erreur :", error)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="secondes de charge")
    parser.add_argument("--agents", type=int, default=8, help="agents simultanés")
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument(
        "--server", default=os.environ.get("LOADTEST_SERVER", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--database", default=f"mairie_loadtest_{os.getpid()}")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mairie-load-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mairie.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"{options.server.rstrip('/')}/{options.database}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_HTTPS_PROXY": "1",
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
    }
    sql(options.server, f'CREATE DATABASE "{options.database}"')
    processes: list[subprocess.Popen] = []
    failed = True
    descriptors: list[int] = []

    def log(path: Path) -> int:
        descriptors.append(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        return descriptors[-1]

    try:
        print(f"Base {options.database} : migration, COG, démonstration…", flush=True)
        for step in (
            ["migrate", "--noinput"],
            ["collectstatic", "--noinput"],
            ["import_cog", "--bundled"],
            ["demo"],
        ):
            manage(env, *step)
        bin_dir = Path(PYTHON).parent
        processes.append(
            subprocess.Popen(
                [
                    str(bin_dir / "gunicorn"),
                    "mairie.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(options.workers),
                    "--preload",
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                env=env,
                stderr=log(work / "gunicorn.log"),
            )
        )
        processes.append(
            subprocess.Popen(
                [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log(work / "worker.log"),
            )
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        warm_up = Browser(port, Stats())  # first requests of each process: not measured
        for _ in range(options.workers * 2):
            warm_up.request("préchauffage", "GET", "/connexion/")
        stats, acks = Stats(), Acknowledged()
        print(
            f"Charge : {options.agents} agents et un responsable pendant "
            f"{options.duration:.0f} s sur {options.workers} processus gunicorn…",
            flush=True,
        )
        start = time.monotonic()
        stop = start + options.duration
        threads = [
            threading.Thread(target=agent_loop, args=(n, port, stop, stats, acks))
            for n in range(options.agents)
        ]
        threads.append(threading.Thread(target=office_loop, args=(port, stop, stats, acks)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report(stats, time.monotonic() - start)
        problems = check(env, acks, time.monotonic() + 300)
        for problem in problems:
            print("  incohérence :", problem)
        failed = bool(stats.errors or problems)
        print(
            "ÉCHEC"
            if failed
            else "OK : aucune erreur, toutes les écritures confirmées "
            "sont en base, chaque export correspond à son fichier."
        )
        if failed:
            print(f"Journaux : {work}")
        return 1 if failed else 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for descriptor in descriptors:
            os.close(descriptor)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        sql(options.server, f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')
        if not failed:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
