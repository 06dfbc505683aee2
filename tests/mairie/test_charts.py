import re

from mairie.charts import Chart, Series


def drawn_values(svg: str) -> list[int]:
    return [int(value) for value in re.findall(r'data-value="(\d+)"', svg)]


def test_a_bar_chart_draws_each_value_of_its_table_once():
    chart = Chart(
        "Électeurs",
        ["bureau 0001", "bureau 0002"],
        [Series("liste principale", [120, 80]), Series("liste complémentaire", [3, 0])],
    )
    svg = str(chart.svg())
    assert sorted(drawn_values(svg)) == sorted([120, 80, 3, 0])
    assert chart.rows == [("bureau 0001", (120, 3), 123), ("bureau 0002", (80, 0), 80)]
    assert chart.column_totals == [200, 3] and chart.total == 203
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg


def test_the_tallest_bar_fills_the_height_and_a_zero_draws_nothing():
    chart = Chart("T", ["a", "b"], [Series("s", [50, 0])])
    heights = {
        int(v): float(h)
        for h, v in re.findall(
            r'height="([\d.]+)" fill="[^"]+" data-value="(\d+)"', str(chart.svg())
        )
    }
    assert heights[0] == 0 and heights[50] > 200


def test_a_pyramid_puts_the_first_series_left_of_the_axis():
    chart = Chart(
        "Âges", ["18–24 ans"], [Series("hommes", [10]), Series("femmes", [30])], kind="pyramid"
    )
    rects = re.findall(
        r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)"[^>]*data-value="(\d+)"', str(chart.svg())
    )
    (left_x, left_w, left_v), (right_x, _, right_v) = rects
    assert (left_v, right_v) == ("10", "30")
    assert float(left_x) + float(left_w) < float(right_x)


def test_labels_are_escaped():
    chart = Chart("<script>", ["<b>"], [Series("a&b", [1])])
    svg = str(chart.svg())
    assert (
        "<script>" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    )
