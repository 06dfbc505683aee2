"""Demo and benchmark code lives in modules of its own, which feature code (models, services,
views, forms, exporters, tasks, AppConfig.ready()…) never imports: only the `demo` and
`benchmark` commands load them, through settings.MAIRIE_DEMO_PARTS and MAIRIE_BENCHMARKS."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.module_loading import import_string

from mairie.benchmarks import Benchmark
from mairie.demo import DemoPart

ROOT = Path(__file__).resolve().parent.parent
APPS = ["mairie", "recensement", "electoral", "exports"]
# mairie.demo, mairie.demo_names, */benchmarks, exports.tableaux_benchmark, the `demo` and
# `benchmark` commands…
DEMO_OR_BENCHMARK = re.compile(r"(demo|benchmarks?)(_\w+)?|\w+_(demo|benchmarks?)")


def is_demo_or_benchmark(module: str) -> bool:
    return any(DEMO_OR_BENCHMARK.fullmatch(part) for part in module.split("."))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module `source` imports, anywhere in it (functions and ready() included), and for
    `from package import name` also "package.name", which may be a module."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def feature_modules() -> list[tuple[str, Path]]:
    modules = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            name = module_name(path)
            if not is_demo_or_benchmark(name):
                modules.append((name, path))
    return modules


def test_the_walk_sees_every_way_of_importing_a_demo_module():
    seen = imported_modules(
        "def ready():\n"
        "    from mairie import demo\n"
        "    from . import benchmarks\n"
        "    import exports.tableaux_benchmark\n"
        "    from recensement.demo import create_recenses\n",
        "exports.apps",
    )
    assert {"mairie.demo", "exports.benchmarks", "exports.tableaux_benchmark"} <= seen
    assert "recensement.demo" in seen
    assert [name for name in sorted(seen) if is_demo_or_benchmark(name)]
    assert not is_demo_or_benchmark("recensement.demandes")
    assert not is_demo_or_benchmark("electoral.services")


def test_the_feature_modules_are_found():
    names = {name for name, _ in feature_modules()}
    assert {"mairie.models", "recensement.apps", "electoral.imports", "exports.exporters"} <= names
    assert "mairie.demo" not in names and "exports.tableaux_benchmark" not in names
    assert "mairie.management.commands.benchmark" not in names


@pytest.mark.parametrize(("module", "path"), feature_modules(), ids=lambda value: str(value))
def test_no_feature_module_imports_demo_or_benchmark_code(module, path):
    imported = imported_modules(path.read_text(), module, path.name == "__init__.py")
    assert sorted(name for name in imported if is_demo_or_benchmark(name)) == []


@pytest.mark.parametrize(
    ("setting", "kind"), [("MAIRIE_DEMO_PARTS", DemoPart), ("MAIRIE_BENCHMARKS", Benchmark)]
)
def test_the_commands_find_each_part_in_a_demo_or_benchmark_module(setting, kind):
    paths = getattr(settings, setting)
    assert paths
    for path in paths:
        assert is_demo_or_benchmark(path.rpartition(".")[0]), path
        assert isinstance(import_string(path), kind), path


def test_the_commands_offer_every_part_of_the_settings(capsys):
    with pytest.raises(SystemExit):
        call_command("demo", "--help")
    out = capsys.readouterr().out
    for option in ("--recenses", "--demandes", "--electeurs"):
        assert option in out
    with pytest.raises(SystemExit):
        call_command("benchmark", "--help")
    out = " ".join(capsys.readouterr().out.split())
    for path in settings.MAIRIE_BENCHMARKS:
        assert import_string(path).name in out
