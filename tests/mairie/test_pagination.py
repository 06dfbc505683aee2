import pytest
from django.contrib.auth import get_user_model

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
