"""The repository stands on its own: no file (code, comment, docstring, README, template) sends
its reader to a document or a path the repository does not hold, such as the team's shared
docs and specs, which a checkout does not include."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".css", ".xsd", ".cfg", ".ini", ".yml"}
TEXT_NAMES = {"Makefile", "run", "system-deps"}
# Not ours (vendored), not in the repository (environment, generated files), or data.
SKIPPED = {".git", ".venv", "media", "staticfiles", "node_modules", "__pycache__", "vendor"}
SKIPPED_FILES = {"tests/test_repository.py"}  # its docstring and examples name such paths

# A path into a docs/, shared/ or specs/ folder, one going up (../), or any Markdown document.
MENTION = re.compile(
    r"(?<![\w/.-])("
    r"(?:\.\./)+[\w.-]+(?:/[\w.-]+)*"
    r"|(?:docs|shared|specs)/[\w.-]+(?:/[\w.-]+)*"
    r"|(?:[\w.-]+/)*[\w.-]+\.md\b"
    r")"
)
# Tests that compare the repository's copies with the team's originals when those are checked
# out beside the repository (they skip otherwise): the one mention each may make.
ALLOWED = {
    ("tests/exports/test_pecoto.py", "../shared"),
    ("tests/exports/test_liste_electorale.py", "electoral-exports.md"),
    # A path a hostile upload tries: the test checks it is refused.
    ("tests/recensement/test_demandes.py", "../../evil.xml"),
}


def repository_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED for part in relative.parts) or not path.is_file():
            continue
        if relative.as_posix() in SKIPPED_FILES:
            continue
        if path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            files.append(path)
    return files


def mentions(text: str) -> list[str]:
    return [match.rstrip(".") for match in MENTION.findall(text)]


def exists(mention: str, where: Path, names: set[str]) -> bool:
    """Whether the path is in the repository, from its root or from the mentioning file's
    folder; a bare file name, anywhere in it."""
    for base in (ROOT, where.parent):
        target = (base / mention).resolve()
        if target.is_relative_to(ROOT) and target.exists():
            return True
    return "/" not in mention and mention in names


def test_the_search_sees_the_mentions_of_outside_documents():
    found = mentions(
        "See docs/electoral-exports.md §3, the copy of shared/specs/pecoto_v1.csv, "
        "../shared/docs/domain.md and style.md; the README.md and specs/README.md are ours."
    )
    assert found == [
        "docs/electoral-exports.md",
        "shared/specs/pecoto_v1.csv",
        "../shared/docs/domain.md",
        "style.md",
        "README.md",
        "specs/README.md",
    ]
    names = {path.name for path in repository_files()}
    here = ROOT / "exports" / "pecoto.py"
    assert [mention for mention in found if exists(mention, here, names)] == [
        "README.md",
        "specs/README.md",
    ]


def test_each_allowed_mention_is_still_made():
    for relative, mention in ALLOWED:
        assert mention in mentions((ROOT / relative).read_text(encoding="utf-8")), relative


@pytest.mark.parametrize(
    "path", repository_files(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_no_file_mentions_a_document_the_repository_does_not_hold(path):
    names = {file.name for file in repository_files()}
    relative = path.relative_to(ROOT).as_posix()
    missing = [
        mention
        for mention in mentions(path.read_text(encoding="utf-8"))
        if (relative, mention) not in ALLOWED and not exists(mention, path, names)
    ]
    assert missing == []


# -- One owner per rule ----------------------------------------------------------------------------

ROLE_COMPARISON = re.compile(r"\.role\s*(?:==|!=|in\b|not in\b)|role\s*(?:==|!=)\s*['\"]")


def test_templates_and_code_test_roles_with_affectation_allows_only():
    """The responsable does both jobs: only Affectation.allows knows it."""
    assert ROLE_COMPARISON.search('{% if current_affectation.role != "elections" %}')
    assert ROLE_COMPARISON.search("request.affectation.role == Role.RESPONSABLE")
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in repository_files()
        if path.suffix in (".py", ".html") and not path.is_relative_to(ROOT / "tests")
        for line in path.read_text(encoding="utf-8").splitlines()
        if ROLE_COMPARISON.search(line)
    ]
    # Affectation.allows itself
    assert found == ["mairie/models.py: return self.role in (role, Role.RESPONSABLE)"]


def test_lists_are_paginated_by_mairie_pagination_only():
    found = [
        str(path.relative_to(ROOT))
        for path in repository_files()
        if path.suffix == ".py" and "paginator" in path.read_text(encoding="utf-8").lower()
    ]
    assert found == []
