"""Full-text search: word prefixes, accents and case ignored, on both databases."""

import pytest

from escalade.incidents import selectors
from escalade.incidents.search import normalize, words
from escalade.incidents.tests.factories import log

pytestmark = pytest.mark.django_db


def test_normalize_and_words():
    assert normalize("Écran NOIR à l'Hôpital") == "ecran noir a l'hopital"
    assert words("C2-2026-000012 'codec' & | !") == ["c2", "2026", "000012", "codec"]


@pytest.fixture
def three(cusm, staff):
    agent = staff["level1_agent"]
    return (
        log(
            agent,
            cusm,
            summary="Écran noir en salle de téléconsultation",
            requester_name="Dre Côté",
        ),
        log(
            agent,
            cusm,
            summary="Perte de paquets vers le pont national",
            requester_site="Hôpital de Gatineau",
            requester_name="Marc Gagnon",  # a fixed name: Faker's may be a Côté
        ),
        log(
            agent,
            cusm,
            summary="Codec figé",
            description="Le codec Polycom ne répond plus",
            requester_name="Julie Roy",
        ),
    )


def _found(cusm, staff, q):
    qs = selectors.search(selectors.visible_incidents(staff["level1_agent"], cusm), q=q)
    return sorted(i.summary for i in qs)


def test_accents_and_case_do_not_matter(cusm, staff, three):
    assert _found(cusm, staff, "ECRAN") == ["Écran noir en salle de téléconsultation"]
    assert _found(cusm, staff, "cote") == ["Écran noir en salle de téléconsultation"]


def test_word_prefixes_match_and_every_word_must(cusm, staff, three):
    assert _found(cusm, staff, "téléconsult") == ["Écran noir en salle de téléconsultation"]
    assert _found(cusm, staff, "pol") == ["Codec figé"]
    assert _found(cusm, staff, "codec paquets") == []
    assert _found(cusm, staff, "gatineau pont") == ["Perte de paquets vers le pont national"]


def test_a_number_is_found_by_its_parts(cusm, staff, three):
    number = three[2].number
    assert _found(cusm, staff, number) == ["Codec figé"]
    assert _found(cusm, staff, number[-6:]) == ["Codec figé"]


def test_search_syntax_characters_are_harmless(cusm, staff, three):
    assert _found(cusm, staff, '"codec* ) (') == ["Codec figé"]
    assert len(_found(cusm, staff, "!!! ***")) == 3  # no word: no filter
