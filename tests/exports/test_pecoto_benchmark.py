import re

import pytest
from django.core.management import call_command

from recensement.models import Recense

pytestmark = pytest.mark.django_db


def queries_for(size: int, capsys) -> int:
    call_command("benchmark", f"pecoto={size}")
    out = capsys.readouterr().out
    assert f"PECOTO de {size} recensés" in out
    return int(re.search(r"(\d+) requêtes SQL \(objectif", out).group(1))


def test_the_pecoto_benchmark_costs_the_same_queries_for_any_quarter_size(cog, capsys):
    assert queries_for(20, capsys) == queries_for(60, capsys)
    assert not Recense.objects.exists()  # measured in a transaction rolled back
