"""Loading INSEE's COG files (communes, départements, régions, pays) into the reference tables."""

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction

from mairie.models import Commune, Departement, Pays, Region
from mairie.text import search_key


class CogFileError(Exception):
    """A COG file that cannot be imported; the message names the file and, if any, the line."""


@dataclass(frozen=True)
class CogTable:
    model: type[models.Model]
    header: tuple[str, ...]
    key: tuple[str, ...]
    convert: Callable[[dict[str, str]], dict[str, str]]
    # A row not found by `key` updates the table's row with the same `renamed_by` values when
    # the file and the table each hold one row of them (a country renamed under its code).
    renamed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _names(row: dict[str, str]) -> dict[str, str]:
    return {
        "tncc": row["TNCC"],
        "ncc": row["NCC"],
        "nccenr": row["NCCENR"],
        "libelle": row["LIBELLE"],
    }


# In dependency-free order: each file imports on its own (codes, not foreign keys, link them).
COG_TABLES: dict[str, CogTable] = {
    "regions": CogTable(
        model=Region,
        header=("REG", "CHEFLIEU", "TNCC", "NCC", "NCCENR", "LIBELLE"),
        key=("code",),
        convert=lambda row: {"code": row["REG"], "cheflieu": row["CHEFLIEU"], **_names(row)},
    ),
    "departements": CogTable(
        model=Departement,
        header=("DEP", "REG", "CHEFLIEU", "TNCC", "NCC", "NCCENR", "LIBELLE"),
        key=("code",),
        convert=lambda row: {
            "code": row["DEP"],
            "region_code": row["REG"],
            "cheflieu": row["CHEFLIEU"],
            **_names(row),
        },
    ),
    "communes": CogTable(
        model=Commune,
        header=(
            "TYPECOM",
            "COM",
            "REG",
            "DEP",
            "CTCD",
            "ARR",
            "TNCC",
            "NCC",
            "NCCENR",
            "LIBELLE",
            "CAN",
            "COMPARENT",
        ),
        key=("typecom", "code"),
        convert=lambda row: {
            "typecom": row["TYPECOM"],
            "code": row["COM"],
            "region_code": row["REG"],
            "departement_code": row["DEP"],
            "comparent": row["COMPARENT"],
            "recherche": search_key(row["LIBELLE"]),
            **_names(row),
        },
    ),
    "pays": CogTable(
        model=Pays,
        header=(
            "COG",
            "ACTUAL",
            "CRPAY",
            "ANI",
            "LIBCOG",
            "LIBENR",
            "CODEISO2",
            "CODEISO3",
            "CODENUM3",
        ),
        key=("code", "libcog"),
        renamed_by=("code",),
        convert=lambda row: {
            "code": row["COG"],
            "actual": row["ACTUAL"],
            "crpay": row["CRPAY"],
            "libcog": row["LIBCOG"],
            "libenr": row["LIBENR"],
            "codeiso2": row["CODEISO2"],
            "codeiso3": row["CODEISO3"],
            "codenum3": row["CODENUM3"],
        },
    ),
}


def _read(table: CogTable, path: Path) -> dict[tuple[str, ...], dict[str, str]]:
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    max_lengths = {field.name: field.max_length for field in table.model._meta.fields}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = tuple(next(reader, ()))
            if header != table.header:
                raise CogFileError(
                    f"{path.name} : en-tête inattendu « {','.join(header)} » ; "
                    f"attendu (format INSEE) « {','.join(table.header)} »."
                )
            for values in reader:
                line = reader.line_num
                if not any(values):
                    continue
                if len(values) != len(table.header):
                    raise CogFileError(
                        f"{path.name}, ligne {line} : {len(values)} colonnes au lieu de "
                        f"{len(table.header)}."
                    )
                fields = table.convert(dict(zip(table.header, values, strict=True)))
                key = tuple(fields[name] for name in table.key)
                if not all(key):
                    raise CogFileError(f"{path.name}, ligne {line} : code manquant.")
                for name, value in fields.items():
                    if len(value) > max_lengths[name]:
                        raise CogFileError(
                            f"{path.name}, ligne {line} : « {value} » dépasse "
                            f"{max_lengths[name]} caractères."
                        )
                if key in rows:
                    raise CogFileError(
                        f"{path.name}, ligne {line} : {' '.join(key)} figure deux fois."
                    )
                rows[key] = fields
    except UnicodeDecodeError as error:
        raise CogFileError(f"{path.name} : le fichier n'est pas en UTF-8 ({error}).") from error
    except OSError as error:
        raise CogFileError(f"{path} : fichier illisible ({error.strerror}).") from error
    except csv.Error as error:
        raise CogFileError(f"{path.name} : CSV illisible ({error}).") from error
    return rows


def _single_rows(
    objects: list[models.Model], rows: Iterable[dict[str, str]], names: tuple[str, ...]
) -> dict[tuple[str, ...], models.Model]:
    """The table's rows alone with their `names` values, where the file has one row of them."""
    if not names:
        return {}
    in_file = Counter(tuple(values[name] for name in names) for values in rows)
    in_table = defaultdict(list)
    for obj in objects:
        in_table[tuple(getattr(obj, name) for name in names)].append(obj)
    return {
        value: found[0]
        for value, found in in_table.items()
        if len(found) == 1 and in_file[value] == 1
    }


def _load(table: CogTable, rows: dict[tuple[str, ...], dict[str, str]]) -> ImportCounts:
    """Create what is new, update what changed in place (primary keys kept); rows absent from
    the file are kept (old codes remain valid birth places)."""
    objects = list(table.model.objects.all())
    existing = {tuple(getattr(obj, name) for name in table.key): obj for obj in objects}
    renamable = _single_rows(objects, rows.values(), table.renamed_by)
    to_create, to_update = [], []
    fields: set[str] = set()
    for key, values in rows.items():
        obj = existing.get(key)
        if obj is None:
            obj = renamable.get(tuple(values[name] for name in table.renamed_by))
        if obj is None:
            to_create.append(table.model(**values))
            continue
        changed = {name for name, value in values.items() if getattr(obj, name) != value}
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            fields |= changed
            to_update.append(obj)
    table.model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        table.model.objects.bulk_update(to_update, sorted(fields), batch_size=2000)
    return ImportCounts(len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update))


def import_cog(files: dict[str, Path]) -> dict[str, ImportCounts]:
    """Import the given COG files (keys of COG_TABLES) in one transaction: all or nothing."""
    unknown = set(files) - set(COG_TABLES)
    if unknown:
        raise CogFileError(f"Table(s) inconnue(s) : {', '.join(sorted(unknown))}.")
    parsed = {name: _read(COG_TABLES[name], Path(path)) for name, path in files.items()}
    with transaction.atomic():
        return {name: _load(COG_TABLES[name], rows) for name, rows in parsed.items()}
