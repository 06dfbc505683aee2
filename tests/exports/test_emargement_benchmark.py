from electoral.models import BureauDeVote, Inscription, Liste
from exports import emargement
from exports.emargement_benchmark import BUREAUX, create_voters, reference_html
from tests.factories import CollectiviteFactory


def test_the_reference_renders_the_same_rows_as_the_cahier_of_its_bureau(db):
    collectivite = CollectiviteFactory(code_insee="96999", nom="Banc")
    scrutin = create_voters(collectivite, 2 * BUREAUX + 5)
    assert Inscription.objects.filter(electeur__collectivite=collectivite).count() == 125
    options = emargement.Options(collectivite, Liste.PRINCIPALE, scrutin, 2, scrutin.premier_tour)
    first = BureauDeVote.objects.get(collectivite=collectivite, code="0001")
    html, count = reference_html(options, first)
    rows = emargement.rows(options, first, {})
    assert count == len(rows) == 3
    assert html.count("<tr>") == count + 1
    for row in rows:
        assert row[1].split("\n")[0] in html
