import csv
import io

import pytest

from exports.streaming import Lines, Throttled

COPY_ROWS = [b'1;"a\nb";x\n', b'2;"dit ""oui""\n";y\n', b"3;;z\n"]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_csv_lines_end_with_crlf_and_keep_line_breaks_inside_values(size):
    """COPY's output cut anywhere (chunks of `size` bytes) gives the same lines."""
    stream = b"".join(COPY_ROWS)
    lines = Lines(b'"', prefix=b"p;L;", end=b"\r\n")
    data = b"".join(lines(stream[i : i + size]) for i in range(0, len(stream), size))
    assert data == b'p;L;1;"a\nb";x\r\np;L;2;"dit ""oui""\n";y\r\np;L;3;;z\r\n'
    assert lines.rows == 3
    read = list(csv.reader(io.StringIO(data.decode(), newline=""), delimiter=";"))
    assert read == [
        ["p", "L", "1", "a\nb", "x"],
        ["p", "L", "2", 'dit "oui"\n', "y"],
        ["p", "L", "3", "", "z"],
    ]


def test_no_row_is_no_line():
    lines = Lines(b'"', prefix=b"p;L;", end=b"\r\n")
    assert lines(b"") == b"" and lines.rows == 0


@pytest.mark.parametrize("size", [1, 5, 1000])
def test_xml_rows_lose_their_quote_characters(size):
    stream = b"<E>a</E>\n\x03<E>b\nc</E>\x03\n<E>d</E>\n"
    lines = Lines(b"\x03", keep_quote=False)
    data = b"".join(lines(stream[i : i + size]) for i in range(0, len(stream), size))
    assert data == b"<E>a</E>\n<E>b\nc</E>\n<E>d</E>\n"
    assert lines.rows == 3


def test_progress_is_reported_once_per_percent_at_most():
    reported = []
    throttled = Throttled(reported.append)
    for done in range(0, 1001):
        throttled(done, 1000)
    assert reported == list(range(100))  # 100 % is the finished export's
    throttled(5, 0)
    assert reported[-1] == 99
