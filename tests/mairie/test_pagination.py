import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mairie import pagination
from mairie.pagination import page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    model = get_user_model()
    model.objects.bulk_create(model(username=f"agent{index:02d}") for index in range(12))
    return model.objects.filter(username__startswith="agent").order_by("username")


def test_a_page_knows_its_neighbours_without_counting_the_list(users):
    first = page_of(users, None, 5)
    assert [user.username for user in first] == [f"agent{index:02d}" for index in range(5)]
    assert (first.number, first.has_previous, first.has_next) == (1, False, True)
    last = page_of(users, "3", 5)
    assert [user.username for user in last] == ["agent10", "agent11"]
    assert (last.has_previous, last.has_next, last.previous_page_number) == (True, False, 2)
    assert (last.count, last.count_capped) == (12, False)


def test_a_wrong_page_number_reads_as_the_first_and_a_page_past_the_end_is_empty(users):
    assert page_of(users, "douze", 5).number == 1
    assert page_of(users, "-4", 5).number == 1
    beyond = page_of(users, "9", 5)
    assert (len(beyond), beyond.has_next, beyond.has_previous) == (0, False, True)


def test_the_count_stops_at_the_cap(users):
    model = get_user_model()
    model.objects.bulk_create(
        model(username=f"agent-extra{index:04d}") for index in range(pagination.COUNT_CAP)
    )
    page = page_of(users, 1, 5)
    assert (page.count, page.count_capped) == (pagination.COUNT_CAP, True)
    assert page.has_next


def _listed(page) -> list[str]:
    return [user.username for user in page]


def _read_with(sort_below: int, users, number, size: int = 5):
    with CaptureQueriesContext(connection) as queries:
        page = page_of(users, number, size, sort_below=sort_below)
    sorted_in_query = any("COUNT(*) OVER ()" in query["sql"] for query in queries.captured_queries)
    return page, sorted_in_query


@pytest.mark.parametrize("ordering", [("username",), ("-username",), ("-is_staff", "username")])
@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_a_search_with_few_matches_sorts_them_after_filtering_same_page_same_order(
    users, ordering, number
):
    users = users.order_by(*ordering)
    users.filter(username__in=["agent03", "agent07"]).update(is_staff=True)
    walked = page_of(users, number, 5)
    page, sorted_in_query = _read_with(50, users, number)
    assert sorted_in_query == (connection.vendor == "postgresql")
    assert _listed(page) == _listed(walked)
    assert (page.has_next, page.has_previous, page.count, page.count_capped) == (
        walked.has_next,
        walked.has_previous,
        12,
        False,
    )


def test_a_search_matching_more_than_the_threshold_walks_the_display_order(users):
    page, _ = _read_with(7, users, 2)
    assert _listed(page) == [f"agent{index:02d}" for index in range(5, 10)]
    assert (page.has_next, page.count, page.count_capped) == (True, 12, False)


def test_matches_past_a_threshold_above_the_cap_count_as_past_the_cap(users, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    page, _ = _read_with(7, users, 1)
    assert _listed(page) == [f"agent{index:02d}" for index in range(5)]
    assert (page.count, page.count_capped) == (3, True)


def test_a_search_page_past_the_end_is_empty_and_still_counted(users):
    page, _ = _read_with(50, users, 9)
    assert (len(page), page.has_next, page.count) == (0, False, 12)
