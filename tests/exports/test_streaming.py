import csv
import hashlib
import io

from exports.streaming import CopySink, CsvLines, HashingWriter, Throttled


def test_csv_lines_end_rows_with_crlf_and_keep_line_breaks_inside_values():
    rows = [b'1;"a\nb";x\n', b'2;"dit ""oui""\n";y\n', b"3;;z\n"]
    out = io.BytesIO()
    sink = CopySink(out, lambda done, total: None, transform=CsvLines(b"p;L;"))
    for row in rows:
        sink.write(row)
    sink.flush()
    data = out.getvalue()
    assert data == b'p;L;1;"a\nb";x\r\np;L;2;"dit ""oui""\n";y\r\np;L;3;;z\r\n'
    read = list(csv.reader(io.StringIO(data.decode(), newline=""), delimiter=";"))
    assert read == [["p", "L", "1", "a\nb", "x"], ["p", "L", "2", 'dit "oui"\n', "y"]] + [
        ["p", "L", "3", "", "z"]
    ]


def test_blocks_are_whole_rows_whatever_their_size():
    out = io.BytesIO()
    sink = CopySink(out, lambda done, total: None, transform=CsvLines())
    sink.BLOCK = 10  # a block every row or two
    for number in range(50):
        sink.write(f'{number};"x\n{number}"\n'.encode())
    sink.flush()
    assert out.getvalue() == b"".join(
        f'{number};"x\n{number}"\r\n'.encode() for number in range(50)
    )


def test_progress_is_reported_once_per_percent_at_most():
    reported = []
    throttled = Throttled(reported.append)
    for done in range(0, 1001):
        throttled(done, 1000)
    assert reported == list(range(100))  # 100 % is the finished export's
    throttled(5, 0)
    assert reported[-1] == 99


def test_the_hash_and_size_are_those_of_the_bytes_written():
    file = io.BytesIO()
    out = HashingWriter(file)
    for part in (b"abc", b"", "é".encode()):
        out.write(part)
    assert (out.size, out.sha256) == (5, hashlib.sha256(file.getvalue()).hexdigest())
