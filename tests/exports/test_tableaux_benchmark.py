"""The tableau benchmark measures both renders in fresh interpreters: the memory it reports is
theirs, not that of whatever ran before in the benchmark's process."""

import re

import pytest

from exports.tableaux_benchmark import run


@pytest.mark.django_db(transaction=True)
def test_both_renders_report_their_own_processes(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    hoard = bytearray(300 * 1024 * 1024)  # this process's peak: 300 MB more than the renders'
    lines: list[str] = []
    run(450, lines.append)
    del hoard
    parallel = next(line for line in lines if line.startswith("en parallèle"))
    peaks = re.search(r"processus de rendu : ([\d, ]+) Mo", parallel).group(1).split(", ")
    assert len(peaks) >= 2  # the joining process and at least one rendering process
    assert all(int(peak) < 300 for peak in peaks)
    assert any(line.startswith("document unique") for line in lines)
    assert re.fullmatch(r"mémoire : \d+ Mo \(objectif ≤ 500 Mo\) : (PASS|FAIL)", lines[-1])
