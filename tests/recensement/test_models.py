import datetime as dt

import pytest

from recensement.models import Recense, RecenseLocked
from recensement.services import cloturer
from tests.factories import RecenseFactory


def test_no_registrant_moves_into_a_closed_quarter_nor_out_of_it(side_a):
    closed = RecenseFactory(collectivite=side_a.collectivite, date_recensement=dt.date(2026, 2, 2))
    open_ = RecenseFactory(collectivite=side_a.collectivite, date_recensement=dt.date(2026, 4, 2))
    cloturer(side_a.collectivite, 2026, 1, side_a.agent)

    open_.date_recensement = dt.date(2026, 3, 30)
    with pytest.raises(RecenseLocked, match="T1 2026 est clos"):
        open_.save()
    closed.date_recensement = dt.date(2026, 4, 1)
    with pytest.raises(RecenseLocked, match="T1 2026 est clos"):
        closed.save()
    stored = {r.pk: r.date_recensement for r in Recense.objects.all()}
    assert stored == {closed.pk: dt.date(2026, 2, 2), open_.pk: dt.date(2026, 4, 2)}


def test_another_collectivites_closed_quarter_does_not_lock_ones_own(side_a, side_b):
    cloturer(side_b.collectivite, 2026, 1, side_b.agent)
    recense = RecenseFactory(collectivite=side_a.collectivite, date_recensement=dt.date(2026, 2, 2))
    recense.prenoms = "Autre"
    recense.save()
    recense.delete()
    assert not Recense.objects.exists()
