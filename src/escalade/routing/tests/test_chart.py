"""Every row of the chart of seed 003 (sections 4.1 and 4.2), in both languages, and
channel hours at their edges."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from conftest import ROOT
from escalade.core.errors import Invalid
from escalade.routing import selectors
from escalade.routing.rules import Question

pytestmark = pytest.mark.django_db
MTL = ZoneInfo("America/Montreal")
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=MTL)


@pytest.fixture
def emtl(db):
    from escalade.core.packs import load_pack

    return load_pack(ROOT / "packs" / "ciusss-emtl").institution


def route(inst, requester, need, subject, location="", at=MONDAY_NOON, lang="fr"):
    with translation.override("fr-ca" if lang == "fr" else "en"):
        return selectors.plan(inst, Question(requester, need, subject, location), at)


def text(plan) -> str:
    parts = [plan["message"], *plan["notes"]]
    for lv in plan["levels"]:
        for step in lv["steps"]:
            parts.append(step["instruction"])
            for c in step["channels"]:
                parts += [c["value"], c["path"], c["extension"]]
    return "\n".join(p for p in parts if p)


# (requester, need, subject, location, supported, levels, French phrases of the seed, English phrases)
ROWS = [
    (
        "staff",
        "technical_problem",
        "org_equipment",
        "",
        True,
        [1, 2],
        [
            "Faites une demande Octopus en allant sous Informatique puis la tuile appropriée",
            "514 251-4000",
            "5656",
            "le CSI fera les escalades requises",
        ],
        [
            "Octopus request under Informatique",
            "extension 5656",
            "the CSI makes the required escalations",
        ],
    ),
    (
        "staff",
        "technical_problem",
        "biomedical_equipment",
        "",
        True,
        [1, 2],
        [
            "Faites une demande Octopus en allant sous Génie biomédical",
            "le Génie biomédical fera les escalades requises",
        ],
        [
            "Octopus request under Génie biomédical",
            "Biomedical engineering makes the required escalations",
        ],
    ),
    (
        "staff",
        "technical_problem",
        "personal_equipment",
        "",
        False,
        [],
        ["Les équipements personnels ne sont pas supportés."],
        ["Personal equipment is not supported."],
    ),
    (
        "staff",
        "technical_problem",
        "internet_connection",
        "on_site",
        True,
        [1, 2, 3],
        [
            "Vérifier auprès d'un collègue si sa connexion Internet fonctionne",
            "à partir d'un poste de travail qui peut accéder à Internet",
            "le CSI fera les escalades requises",
        ],
        [
            "Check with a colleague whether their Internet connection works",
            "from a workstation that can reach the Internet",
        ],
    ),
    (
        "staff",
        "technical_problem",
        "internet_connection",
        "personal_connection",
        False,
        [1],
        [
            "Contactez votre fournisseur Internet.",
            "Les connexions Internet personnelles ne sont pas supportées par le CSI.",
        ],
        [
            "Contact your Internet provider.",
            "Personal Internet connections are not supported by the CSI.",
        ],
    ),
    (
        "staff",
        "technical_problem",
        "teams",
        "",
        True,
        [1, 2, 3],
        ["Vérifier auprès d'un collègue si Teams fonctionne", "escalades requises à la DGTI"],
        ["Check with a colleague whether Teams works", "escalations to the DGTI"],
    ),
    (
        "staff",
        "technical_problem",
        "provincial_platform",
        "",
        True,
        [1],
        [
            "le pilote interne de l'application",
            "1 833 564-0404",
            "soutienrqt@ssss.gouv.qc.ca",
            "Le CSI ne supporte pas les plateformes provinciales.",
            "rendez-vous téléphonique avec un technicien",
        ],
        ["internal pilot of the application", "The CSI does not support the provincial platforms."],
    ),
    (
        "staff",
        "technical_problem",
        "reacts",
        "",
        True,
        [1, 2, 3],
        [
            "contactez votre super-utilisateur",
            "support@reacts.com",
            "Il n'y a pas de numéro de téléphone pour contacter le support",
            "Le CSI ne supporte pas Reacts.",
        ],
        [
            "contact your super-user",
            "support@reacts.com",
            "There is no phone number for support",
            "The CSI does not support Reacts.",
        ],
    ),
    (
        "staff",
        "technical_problem",
        "other_clinical_app",
        "",
        True,
        [1, 2, 3],
        [
            "Informatisation du dossier usager > Problème avec une application",
            "Il n'y a pas de numéro de téléphone pour les urgences",
        ],
        ["There is no phone number for emergencies"],
    ),
    (
        "staff",
        "app_question",
        "teams",
        "",
        True,
        [1, 2],
        [
            "Informatique > Office 365 > Teams > Question sur l'utilisation de Teams",
            "le service de la Formation escaladera au CSI qui, à son tour, escaladera à la DGTI",
        ],
        ["Training service", "escalates to the CSI, which in turn escalates to the DGTI"],
    ),
    (
        "staff",
        "app_question",
        "provincial_platform",
        "",
        True,
        [1, 2],
        [
            "Consultez la documentation disponible sur le site du RQT",
            "1 833 564-0404",
            "Le CSI ne supporte pas les plateformes provinciales.",
        ],
        [
            "Read the documentation on the RQT site",
            "The CSI does not support the provincial platforms.",
        ],
    ),
    (
        "staff",
        "app_question",
        "reacts",
        "",
        True,
        [1, 2],
        [
            "Contactez le pilote de votre service.",
            "support@reacts.com",
            "Le CSI ne supporte pas Reacts.",
        ],
        ["Contact your service's pilot.", "The CSI does not support Reacts."],
    ),
    (
        "staff",
        "app_question",
        "other_clinical_app",
        "",
        True,
        [1, 2],
        [
            "Informatisation du dossier usager > Problème avec une application",
            "ce dernier contactera le CSI ou le fournisseur de l'application",
        ],
        ["the pilot contacts the CSI or the application's supplier"],
    ),
    (
        "patient",
        "technical_problem",
        "lent_equipment",
        "",
        True,
        [1],
        [
            "Le patient doit contacter le service",
            "Voir les points 1 et 2 de la section 4.1.1",
            "Le CSI et le GBM ne supportent pas directement les patients.",
        ],
        ["The patient contacts the service", "do not support patients directly"],
    ),
    (
        "patient",
        "technical_problem",
        "personal_equipment",
        "",
        False,
        [1, 2],
        [
            "peut tenter d'aider l'utilisateur",
            "un technicien informatique d'une firme ou autre ressource (ex. : un proche)",
            "Le CSI ne supporte pas les patients.",
        ],
        ["may try to help the user", "a computer technician from a firm or another resource"],
    ),
    (
        "patient",
        "technical_problem",
        "internet_connection",
        "",
        False,
        [1],
        ["Le patient doit contacter son fournisseur Internet.", "numéro de téléphone du patient"],
        ["The patient contacts their Internet provider.", "the patient's phone number"],
    ),
    (
        "patient",
        "technical_problem",
        "teams",
        "",
        True,
        [1, 2],
        [
            "peut tenter d'aider le patient",
            "Le patient peut contacter le CSSNS",
            "1 833 564-0404",
            "Le CSI ne supporte pas les patients.",
        ],
        [
            "may try to help the patient",
            "The patient can contact the CSSNS",
            "The CSI does not support patients.",
        ],
    ),
    (
        "patient",
        "technical_problem",
        "provincial_platform",
        "",
        True,
        [1, 2],
        ["Le patient peut contacter le CSSNS", "soutienrqt@ssss.gouv.qc.ca"],
        ["The patient can contact the CSSNS"],
    ),
    (
        "patient",
        "app_question",
        "teams",
        "",
        True,
        [1],
        [
            "sont les premiers répondants",
            "Informatique > Office 365 > Teams > Question sur l'utilisation de Teams",
            "Le CSI ne fait pas de support directement auprès des patients.",
        ],
        ["are the first responders", "The CSI does not support patients directly."],
    ),
    (
        "patient",
        "app_question",
        "provincial_platform",
        "",
        True,
        [1],
        [
            "le patient doit contacter son intervenant(e), son(sa) médecin ou l'agente administrative",
            "1 833 564-0404",
            "Le CSI ne supporte pas les plateformes provinciales.",
        ],
        [
            "the patient contacts their clinician",
            "The CSI does not support the provincial platforms.",
        ],
    ),
]


@pytest.mark.parametrize(
    "requester,need,subject,location,supported,levels,french,english",
    ROWS,
    ids=[f"{r[0]}-{r[1]}-{r[2]}-{r[3] or 'x'}" for r in ROWS],
)
def test_every_row_of_the_chart_in_both_languages(
    emtl, requester, need, subject, location, supported, levels, french, english
):
    fr = route(emtl, requester, need, subject, location, lang="fr")
    en = route(emtl, requester, need, subject, location, lang="en")
    assert (fr["covered"], fr["supported"]) == (True, supported)
    assert [lv["level"] for lv in fr["levels"]] == levels
    for phrase in french:
        assert phrase in text(fr), phrase
    for phrase in english:
        assert phrase in text(en), phrase
    assert text(fr) != text(en) or not french


def test_the_chart_has_every_row_of_the_seed(emtl):
    from escalade.routing.models import ChartRow

    assert ChartRow.objects.filter(chart__institution=emtl).count() == len(ROWS)


def test_reminders_include_the_incident_declaration_with_the_keyword(emtl):
    plan = route(emtl, "staff", "technical_problem", "teams")
    assert any("AH-223" in r and "« Télésanté »" in r for r in plan["reminders"])
    assert not any("AH-233" in r for r in plan["reminders"])  # no remark on the seed's typo
    assert any("numéro de téléphone du patient" in r for r in plan["reminders"])
    assert any("suffisamment à l'aise avec la technologie" in r for r in plan["reminders"])


def test_a_combination_the_chart_does_not_cover_says_so_and_whom_to_ask(emtl):
    plan = route(emtl, "patient", "technical_problem", "reacts", lang="en")
    assert (plan["covered"], plan["supported"]) == (False, False)
    assert "does not cover" in plan["message"]
    assert plan["levels"][0]["steps"][0]["provider"]["code"] == "program_service"


def test_unknown_codes_name_the_valid_values(emtl):
    with pytest.raises(Invalid) as err:
        route(emtl, "visitor", "technical_problem", "wifi")
    fields = {e["field"]: e for e in err.value.as_errors()}
    assert set(fields) == {"requester", "subject"}
    assert "staff, patient" in fields["requester"]["message"]
    assert fields["requester"]["code"] == "not_one_of"
    with pytest.raises(Invalid) as err:
        route(emtl, "staff", "technical_problem", "internet_connection")
    assert err.value.field == "location"


def _csi_phones(plan):
    return {
        c["value"]: c for c in plan["levels"][0]["steps"][0]["channels"] if c["kind"] == "phone"
    }


@pytest.mark.parametrize(
    "instant,office_open,on_call_open",
    [
        (dt.datetime(2026, 11, 23, 6, 59, tzinfo=MTL), False, True),  # before 07:00
        (dt.datetime(2026, 11, 23, 7, 0, tzinfo=MTL), True, False),  # 07:00 exactly
        (dt.datetime(2026, 11, 23, 16, 59, tzinfo=MTL), True, False),
        (dt.datetime(2026, 11, 23, 17, 0, tzinfo=MTL), False, True),  # 17:00 exactly
        (dt.datetime(2026, 11, 28, 11, 0, tzinfo=MTL), False, True),  # Saturday
        (dt.datetime(2026, 12, 25, 11, 0, tzinfo=MTL), False, True),  # Christmas
        (dt.datetime(2026, 12, 26, 3, 0, tzinfo=MTL), False, True),  # the night after
        (dt.datetime(2026, 9, 7, 10, 0, tzinfo=MTL), False, True),  # Labour Day (a Monday)
    ],
)
def test_csi_urgent_lines_at_the_edges_of_their_hours(emtl, instant, office_open, on_call_open):
    phones = _csi_phones(route(emtl, "staff", "technical_problem", "org_equipment", at=instant))
    office, on_call = phones["514 251-4000"], phones["514 251-3050"]
    assert (office["open_now"], on_call["open_now"]) == (office_open, on_call_open)
    assert office["urgent_only"] and on_call["urgent_only"] and office["extension"] == "5656"


def test_a_patients_platform_problem_on_saturday_waits_for_monday_07_00(emtl):
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=MTL)
    plan = route(emtl, "patient", "technical_problem", "provincial_platform", at=saturday)
    phone = next(c for c in plan["levels"][0]["steps"][1]["channels"] if c["kind"] == "phone")
    assert phone["value"] == "1 833 564-0404" and not phone["open_now"]
    assert phone["next_open"] == dt.datetime(2026, 11, 30, 7, 0, tzinfo=MTL)
