"""The one-way dependencies between the apps (mairie <- recensement / electoral <- exports),
read from the source's import statements."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mairie", "recensement", "electoral", "exports")
# What each app may import of the others: the core none, the two halves the core, exports all.
ALLOWED = {
    "mairie": set(),
    "recensement": {"mairie"},
    "electoral": {"mairie"},
    "exports": {"mairie", "recensement", "electoral"},
}
# Modules of business rules: they must work without any form.
SERVICE_MODULES = ("services.py", "demandes.py", "models.py")


def imported(path: Path) -> set[str]:
    """Every module the file imports, "from recensement import forms" giving recensement.forms."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def sources(app: str) -> list[Path]:
    return [p for p in sorted((ROOT / app).rglob("*.py")) if "migrations" not in p.parts]


def own_forms(names: set[str]) -> set[str]:
    return {name for name in names if name.split(".")[0] in APPS and name.endswith(".forms")}


@pytest.mark.parametrize("app", APPS)
def test_no_service_model_or_demandes_module_imports_a_forms_module(app):
    modules = [p for p in sources(app) if p.name in SERVICE_MODULES]
    assert modules
    found = {str(p.relative_to(ROOT)): own_forms(imported(p)) for p in modules}
    assert {path: forms for path, forms in found.items() if forms} == {}


def test_the_finder_sees_a_forms_import_in_every_spelling(tmp_path):
    source = tmp_path / "services.py"
    source.write_text(
        "from recensement.forms import RecenseForm\nfrom electoral import forms\n"
        "import mairie.forms\nfrom django import forms as django_forms\n"
    )
    assert own_forms(imported(source)) == {"recensement.forms", "electoral.forms", "mairie.forms"}


@pytest.mark.parametrize("app", APPS)
def test_dependencies_between_apps_run_one_way(app):
    found = {
        str(p.relative_to(ROOT)): sorted(
            {name.split(".")[0] for name in imported(p)} & set(APPS) - {app} - ALLOWED[app]
        )
        for p in sources(app)
    }
    assert {path: apps for path, apps in found.items() if apps} == {}
