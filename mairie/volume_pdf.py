"""Volume documents (émargement lists, voter cards): tens of thousands of rows, drawn with
ReportLab's canvas in the project's own fonts (mairie/pdf_fonts), page by page, in a fraction of
the time and memory an HTML layout takes. The other documents stay on WeasyPrint (mairie.pdf).

A table document is laid out in two passes: the height of each row (its cells wrapped to their
column, never cut), then the pages, so that every page can say "page N / M"."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from mairie.pdf import FONT_FOLDER

REGULAR = "LiberationSansMairie"
BOLD = "LiberationSansMairie-Bold"
ITALIC = "LiberationSansMairie-Italic"


@cache
def register_fonts() -> None:
    for name, file in (
        (REGULAR, "LiberationSans-Regular.ttf"),
        (BOLD, "LiberationSans-Bold.ttf"),
        (ITALIC, "LiberationSans-Italic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONT_FOLDER / file)))


@lru_cache(maxsize=65536)
def wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """`text` in lines no wider than `width` (points); a word wider than that is split."""
    lines = []
    for paragraph in text.split("\n"):
        for line in simpleSplit(paragraph, font, size, width) or [""]:
            while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
                cut = len(line)
                while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
    return tuple(lines)


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # millimetres
    bold: bool = False  # the cell's first line


@dataclass(frozen=True)
class TableStyle:
    size: float = 8.5  # points
    leading: float = 10.5
    padding: float = 1.6 * mm
    min_height: float = 9 * mm  # room to sign
    head_size: float = 8
    margin: float = 10 * mm
    header_height: float = 24 * mm  # the page's header lines, above the table
    footer_height: float = 8 * mm


Header = Callable[[int, int], list[str]]  # (page, pages) -> lines, the first in bold


class TableDocument:
    """One document: a title block on every page, a table whose head repeats, a closing block
    after the last row, and "page N / M" at the foot of each page."""

    def __init__(
        self,
        pagesize: tuple[float, float],
        columns: Sequence[Column],
        style: TableStyle = TableStyle(),
    ) -> None:
        register_fonts()
        self.pagesize = pagesize
        self.columns = list(columns)
        self.style = style
        total = sum(c.width for c in self.columns) * mm
        available = pagesize[0] - 2 * style.margin
        if total > available + 0.01:
            raise ValueError(f"columns {total / mm:.1f} mm wider than the page")
        self.head_lines = [
            wrap(c.title, BOLD, style.head_size, c.width * mm - 2 * style.padding)
            for c in self.columns
        ]
        self.head_height = (
            max(len(lines) for lines in self.head_lines) * style.head_size * 1.2 + 2 * style.padding
        )

    def _cells(self, row: Sequence[str]) -> list[list[str]]:
        s = self.style
        cells = []
        for column, text in zip(self.columns, row, strict=True):
            width = column.width * mm - 2 * s.padding
            cells.append(wrap(text, BOLD if column.bold else REGULAR, s.size, width))
        return cells

    def _height(self, cells: list[list[str]]) -> float:
        s = self.style
        return max(s.min_height, max(len(c) for c in cells) * s.leading + 2 * s.padding)

    def _closing_height(self, closing: Sequence[str]) -> float:
        s = self.style
        width = self.pagesize[0] - 2 * s.margin
        lines = sum(len(wrap(text, REGULAR, s.size + 1, width)) for text in closing)
        return 8 * mm + lines * (s.leading + 2) + 25 * mm  # room for the signature

    def paginate(self, rows: Sequence[Sequence[str]], closing: Sequence[str]) -> list[list]:
        """Pages of (cells, height); the closing block on the last one (a page of its own if
        it does not fit under the last row)."""
        s = self.style
        room = (
            self.pagesize[1] - 2 * s.margin - s.header_height - s.footer_height - self.head_height
        )
        pages: list[list] = [[]]
        used = 0.0
        for row in rows:
            cells = self._cells(row)
            height = self._height(cells)
            if used + height > room and pages[-1]:
                pages.append([])
                used = 0.0
            pages[-1].append((cells, height))
            used += height
        if closing and used + self._closing_height(closing) > room + self.head_height:
            pages.append([])
        return pages

    def write(
        self,
        out: BinaryIO,
        header: Header,
        rows: Sequence[Sequence[str]],
        closing: Sequence[str] = (),
        title: str = "",
    ) -> int:
        """Write the PDF into `out`; returns its number of pages."""
        pages = self.paginate(rows, closing)
        canvas = Canvas(out, pagesize=self.pagesize, pageCompression=1, invariant=1)
        canvas.setTitle(title)
        canvas.setCreator("Mairie")
        for number, page in enumerate(pages, start=1):
            top = self._header(canvas, header(number, len(pages)))
            if page:
                top = self._table_head(canvas, top)
                text = canvas.beginText()
                for cells, height in page:
                    self._row(canvas, text, top, cells, height)
                    top -= height
                canvas.drawText(text)
            if number == len(pages) and closing:
                self._closing(canvas, top, closing)
            self._footer(canvas, number, len(pages))
            canvas.showPage()
        canvas.save()
        return len(pages)

    def _header(self, canvas: Canvas, lines: list[str]) -> float:
        s = self.style
        y = self.pagesize[1] - s.margin - 11
        for index, line in enumerate(lines):
            canvas.setFont(BOLD if index == 0 else REGULAR, 11 if index == 0 else 9)
            canvas.drawString(s.margin, y, line)
            y -= 13 if index == 0 else 11
        return self.pagesize[1] - s.margin - s.header_height

    def _table_head(self, canvas: Canvas, top: float) -> float:
        s = self.style
        x = s.margin
        canvas.setFillGray(0.9)
        canvas.rect(x, top - self.head_height, self._width, self.head_height, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.setFont(BOLD, s.head_size)
        for column, lines in zip(self.columns, self.head_lines, strict=True):
            y = top - s.padding - s.head_size
            for line in lines:
                canvas.drawString(x + s.padding, y, line)
                y -= s.head_size * 1.2
            x += column.width * mm
        self._grid(canvas, top, self.head_height)
        return top - self.head_height

    @property
    def _width(self) -> float:
        return sum(c.width for c in self.columns) * mm

    def _grid(self, canvas: Canvas, top: float, height: float) -> None:
        x = self.style.margin
        canvas.setLineWidth(0.4)
        canvas.rect(x, top - height, self._width, height, stroke=1, fill=0)
        for column in self.columns[:-1]:
            x += column.width * mm
            canvas.line(x, top, x, top - height)

    def _row(self, canvas: Canvas, text, top: float, cells: list[list[str]], height: float) -> None:
        """The row's lines go into the page's one text object (far cheaper than a text object
        per string), its borders onto the canvas."""
        s = self.style
        x = s.margin
        for column, lines in zip(self.columns, cells, strict=True):
            y = top - s.padding - s.size
            for index, line in enumerate(lines):
                if line:
                    text.setFont(BOLD if column.bold and index == 0 else REGULAR, s.size)
                    text.setTextOrigin(x + s.padding, y)
                    text.textOut(line)
                y -= s.leading
            x += column.width * mm
        self._grid(canvas, top, height)

    def _closing(self, canvas: Canvas, top: float, closing: Sequence[str]) -> None:
        s = self.style
        y = top - 8 * mm
        width = self.pagesize[0] - 2 * s.margin
        canvas.setFont(REGULAR, s.size + 1)
        for text in closing:
            for line in wrap(text, REGULAR, s.size + 1, width):
                canvas.drawString(s.margin, y, line)
                y -= s.leading + 2

    def _footer(self, canvas: Canvas, number: int, pages: int) -> None:
        s = self.style
        canvas.setFont(REGULAR, 8)
        canvas.drawRightString(
            self.pagesize[0] - s.margin, s.margin - 2, f"Page {number} / {pages}"
        )
