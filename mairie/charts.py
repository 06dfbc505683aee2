"""Charts drawn on the server as SVG, for the statistics pages: no script, no CDN. Each chart
keeps the numbers it draws, so that the page prints them again as a table underneath for
screen readers, and a test can check that the drawing and the table say the same thing."""

from dataclasses import dataclass

from django.utils.html import format_html, mark_safe
from django.utils.safestring import SafeString
from django.utils.text import slugify

# The palette of the DSFR's illustrative colours, distinct for the colour-blind in this order.
COLOURS = ("#000091", "#e1000f", "#009081", "#b34000", "#6a6af4", "#7d4e5b", "#ffca00")
WIDTH = 720
BAR_AREA = 260
LABEL_HEIGHT = 60
LEGEND_ROW = 22


@dataclass
class Series:
    label: str
    values: list[int]


@dataclass
class Chart:
    """`categories` along the axis, one value per category in each series."""

    title: str
    categories: list[str]
    series: list[Series]
    kind: str = "bars"  # "bars" (grouped) or "pyramid" (two series, left and right)

    @property
    def total(self) -> int:
        return sum(sum(s.values) for s in self.series)

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """The table underneath: a category, its value in each series, their sum."""
        return [
            (category, values, sum(values))
            for category, values in zip(
                self.categories, zip(*(s.values for s in self.series), strict=True), strict=True
            )
        ]

    @property
    def column_totals(self) -> list[int]:
        return [sum(s.values) for s in self.series]

    def svg(self) -> SafeString:
        if self.kind == "pyramid":
            return _pyramid(self)
        return _bars(self)


def _scale(values: list[int]) -> int:
    return max([1, *values])


def _legend(chart: Chart, top: int) -> list[str]:
    parts = []
    for index, series in enumerate(chart.series):
        x, y = 10, top + index * LEGEND_ROW
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}"/>'
                '<text x="{}" y="{}" font-size="13">{}</text>',
                x,
                y,
                COLOURS[index % len(COLOURS)],
                x + 20,
                y + 12,
                series.label,
            )
        )
    return parts


def _frame(chart: Chart, height: int, body: list[str]) -> SafeString:
    title_id = f"graphique-{slugify(chart.title)}"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}" class="chart" width="100%" style="max-width:{}px">'
        '<title id="{}">{}</title>{}</svg>',
        WIDTH,
        height,
        title_id,
        WIDTH,
        title_id,
        chart.title,
        mark_safe("".join(body)),  # each part was built by format_html
    )


def _bars(chart: Chart) -> SafeString:
    groups = max(1, len(chart.categories))
    per_group = max(1, len(chart.series))
    top = _scale([v for s in chart.series for v in s.values])
    slot = (WIDTH - 60) / groups
    bar = max(2.0, min(40.0, (slot - 6) / per_group))
    body = [
        format_html(
            '<line x1="50" y1="{}" x2="{}" y2="{}" stroke="#666"/>', BAR_AREA, WIDTH, BAR_AREA
        ),
        format_html('<text x="45" y="14" font-size="12" text-anchor="end">{}</text>', top),
        format_html('<text x="45" y="{}" font-size="12" text-anchor="end">0</text>', BAR_AREA),
    ]
    for g, category in enumerate(chart.categories):
        x0 = 55 + g * slot
        for s, series in enumerate(chart.series):
            value = series.values[g]
            height = round(value / top * (BAR_AREA - 20), 1)
            body.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-value="{}">'
                    "<title>{} — {} : {}</title></rect>",
                    round(x0 + s * bar, 1),
                    round(BAR_AREA - height, 1),
                    round(bar - 1, 1),
                    height,
                    COLOURS[s % len(COLOURS)],
                    value,
                    category,
                    series.label,
                    value,
                )
            )
        body.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="end" '
                'transform="rotate(-40 {} {})">{}</text>',
                round(x0 + slot / 2, 1),
                BAR_AREA + 14,
                round(x0 + slot / 2, 1),
                BAR_AREA + 14,
                category,
            )
        )
    legend_top = BAR_AREA + LABEL_HEIGHT
    body += _legend(chart, legend_top)
    height = legend_top + LEGEND_ROW * len(chart.series) + 4
    return _frame(chart, height, body)


def _pyramid(chart: Chart) -> SafeString:
    """Two series, the first to the left of the axis, the second to the right; the first
    category at the bottom."""
    left, right = chart.series
    rows = len(chart.categories)
    row = 18
    middle = WIDTH / 2
    gap = 48  # room for the category between the two bars
    half = middle - gap - 10
    top = _scale(left.values + right.values)
    body = []
    for index, category in enumerate(chart.categories):
        y = 10 + (rows - 1 - index) * row
        for series, colour, sign in ((left, COLOURS[0], -1), (right, COLOURS[1], 1)):
            value = series.values[index]
            width = round(value / top * half, 1)
            x = middle - gap - width if sign < 0 else middle + gap
            body.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-value="{}">'
                    "<title>{} — {} : {}</title></rect>",
                    round(x, 1),
                    y,
                    width,
                    row - 3,
                    colour,
                    value,
                    category,
                    series.label,
                    value,
                )
            )
        body.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                middle,
                y + 12,
                category,
            )
        )
    legend_top = 10 + rows * row + 10
    body += _legend(chart, legend_top)
    return _frame(chart, legend_top + LEGEND_ROW * len(chart.series) + 4, body)
