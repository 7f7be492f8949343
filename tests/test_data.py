"""Data fidelity: the bundled directory holds the facts of the seed page (SPEC 1.1), one test
per group of facts. The page itself is only needed by the tests at the end, which skip
without ../shared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import BUNDLED_PEOPLE
from kjcdir.load import load
from kjcdir.model import Address, Directory
from kjcdir.sources import bundled_path

PEOPLE = BUNDLED_PEOPLE
ORGANIZATIONS = [
    "hlt",
    "hlt-sozialreferat",
    "hlt-koordinierungsstelle",
    "hstt",
    "hstt-sozialreferat",
    "hstt-regiestelle",
    "dlt",
    "dlt-ak-option",
    "dst",
    "dst-konferenz-optionsstaedte",
    "ag-kjc",
    "lk-darmstadt-dieburg",
    "lhs-wiesbaden",
    "main-taunus-kreis",
    "lk-fulda",
    "lahn-dill-kreis",
    "stadt-offenbach",
]
AK_OPTION = ["rosemarie-lueck", "ariane-patzelt", "joachim-werle", "juergen-stock", "peter-dubowy"]
WITH_CONTACT = ["felix-wuerfel", "laura-brennert", "michael-hofmeister", "rena-wissmeier"]


@pytest.fixture(scope="module")
def bundled() -> Directory:
    return load([])


def test_the_bundled_file_is_the_one_in_data() -> None:
    assert bundled_path().is_file()
    assert bundled_path().name == "directory.yaml"


def test_meta(bundled: Directory) -> None:
    assert bundled.meta.as_of == "2026-11-24"
    assert bundled.meta.title.startswith("Eine gute Verbindung")
    assert "Eine gute Verbindung" in bundled.meta.source


def test_the_fixed_ids_in_file_order(bundled: Directory) -> None:
    assert list(bundled.people) == PEOPLE
    assert list(bundled.organizations) == ORGANIZATIONS


@pytest.mark.parametrize(
    ("pid", "given", "family"),
    [
        ("felix-wuerfel", "Felix", "Würfel"),
        ("laura-brennert", "Laura", "Brennert"),
        ("michael-hofmeister", "Michael", "Hofmeister"),
        ("rena-wissmeier", "Rena", "Wißmeier"),
        ("rosemarie-lueck", "Rosemarie", "Lück"),
        ("ariane-patzelt", "Ariane", "Patzelt"),
        ("joachim-werle", "Joachim", "Werle"),
        ("juergen-stock", "Jürgen", "Stock"),
        ("peter-dubowy", "Peter", "Dubowy"),
    ],
)
def test_names_with_their_umlauts(bundled: Directory, pid: str, given: str, family: str) -> None:
    person = bundled.people[pid]
    assert (person.given_name, person.family_name, person.name) == (
        given,
        family,
        f"{given} {family}",
    )


def test_phone_numbers_and_emails_of_each_contact(bundled: Directory) -> None:
    contacts = {
        pid: (
            [(phone.display, phone.e164) for phone in bundled.people[pid].phones],
            list(bundled.people[pid].emails),
        )
        for pid in PEOPLE
    }
    assert contacts == {
        "felix-wuerfel": ([("+49 611 1706-69", "+49611170669")], ["wuerfel@hlt.de"]),
        "laura-brennert": ([("+49 611 1706-22", "+49611170622")], ["brennert@hlt.de"]),
        "michael-hofmeister": (
            [("+49 611 1702-22", "+49611170222")],
            ["hofmeister@hess-staedtetag.de"],
        ),
        "rena-wissmeier": (
            [("+49 611 1702-25", "+49611170225")],
            ["wissmeier@hess-staedtetag.de"],
        ),
        # the page gives no phone number or e-mail for the members of the AK Option
        **{pid: ([], []) for pid in AK_OPTION},
    }


def test_no_organisation_has_a_phone_number_or_email(bundled: Directory) -> None:
    assert [org.id for org in bundled.organizations.values() if org.phones or org.emails] == []


SHARED_ADDRESS = Address(street="Frankfurter Straße 2", postal_code="65189", city="Wiesbaden")


def test_the_shared_address(bundled: Directory) -> None:
    with_address = {org.id: org.address for org in bundled.organizations.values() if org.address}
    assert with_address == {"hlt": SHARED_ADDRESS, "hstt": SHARED_ADDRESS}
    assert SHARED_ADDRESS.lines() == ("Frankfurter Straße 2", "65189 Wiesbaden")
    # people get the address up their first affiliation's chain; none has one of their own
    assert [pid for pid in PEOPLE if bundled.people[pid].address is not None] == []
    assert {pid: bundled.address_of(bundled.people[pid]) for pid in PEOPLE} == {
        **{pid: SHARED_ADDRESS for pid in WITH_CONTACT},
        **{pid: None for pid in AK_OPTION},
    }


def test_parents_of_every_unit(bundled: Directory) -> None:
    parents = {org.id: org.parent for org in bundled.organizations.values()}
    assert parents == {
        "hlt": None,
        "hlt-sozialreferat": "hlt",
        "hlt-koordinierungsstelle": "hlt",
        "hstt": None,
        "hstt-sozialreferat": "hstt",
        "hstt-regiestelle": "hstt",
        "dlt": None,
        "dlt-ak-option": "dlt",
        "dst": None,
        "dst-konferenz-optionsstaedte": "dst",
        "ag-kjc": None,
        "lk-darmstadt-dieburg": None,
        "lhs-wiesbaden": None,
        "main-taunus-kreis": None,
        "lk-fulda": None,
        "lahn-dill-kreis": None,
        "stadt-offenbach": None,
    }


def test_names_and_shorts_of_the_bodies(bundled: Directory) -> None:
    shorts = {org.id: org.short for org in bundled.organizations.values() if org.short}
    assert shorts == {
        "hlt": "HLT",
        "hstt": "HStT",
        "dlt": "DLT",
        "dlt-ak-option": "AK Option",
        "dst": "DST",
        "ag-kjc": "AG KJC",
    }
    names = {org.id: org.name for org in bundled.organizations.values()}
    assert names["hlt"] == "Hessischer Landkreistag"
    assert names["hstt"] == "Hessischer Städtetag"
    assert names["dlt"] == "Deutscher Landkreistag"
    assert names["dst"] == "Deutscher Städtetag"
    assert names["hstt-regiestelle"] == "Regiestelle SGB II"
    assert names["hlt-koordinierungsstelle"] == "Koordinierungsstelle für die Kommunalen Jobcenter"
    assert names["dst-konferenz-optionsstaedte"] == "Konferenz der Optionsstädte"
    assert names["ag-kjc"] == "Arbeitsgemeinschaft der Kommunalen Jobcenter"
    assert names["lhs-wiesbaden"] == "Landeshauptstadt Wiesbaden"
    assert names["lk-darmstadt-dieburg"] == "Landkreis Darmstadt-Dieburg"
    # the city, one of the page's two Optionsstädte, not the Kreis Offenbach
    assert names["stadt-offenbach"] == "Stadt Offenbach"
    assert bundled.organizations["stadt-offenbach"].aliases == ("Offenbach",)  # the page's word


def test_roles_and_units_of_the_four_staff(bundled: Directory) -> None:
    affiliations = {
        pid: [(a.org_id, a.role) for a in bundled.people[pid].affiliations] for pid in WITH_CONTACT
    }
    assert affiliations["felix-wuerfel"] == [("hlt-sozialreferat", "Leiter des Sozialreferats")]
    assert affiliations["michael-hofmeister"] == [
        ("hstt-sozialreferat", "Leiter des Sozialreferats")
    ]
    assert affiliations["laura-brennert"] == [
        ("hlt-koordinierungsstelle", "Begleitung der Koordinierungsstelle")
    ]
    assert affiliations["rena-wissmeier"] == [("hstt-regiestelle", "Regiestelle SGB II")]
    assert bundled.org_path("hstt-regiestelle") == ("Hessischer Städtetag", "Regiestelle SGB II")


def test_ak_option_membership_and_home_bodies(bundled: Directory) -> None:
    assert [p.id for p in bundled.people_of("dlt-ak-option")] == AK_OPTION
    assert [p.id for p in bundled.members_of(bundled.subtree("dlt"))] == AK_OPTION
    homes = {
        pid: [
            (a.org_id, a.role)
            for a in bundled.people[pid].affiliations
            if a.org_id != "dlt-ak-option"
        ]
        for pid in AK_OPTION
    }
    assert homes == {
        "rosemarie-lueck": [("lk-darmstadt-dieburg", "Kreisbeigeordnete")],
        "ariane-patzelt": [("lhs-wiesbaden", None)],
        "joachim-werle": [
            ("main-taunus-kreis", None),
            ("ag-kjc", "Sprecher der hessischen AG KJC"),
        ],
        "juergen-stock": [("lk-fulda", None)],
        "peter-dubowy": [("lahn-dill-kreis", None)],
    }
    # the home body comes first: it is the organisation a list line shows
    assert [bundled.people[pid].affiliations[0].org_id for pid in AK_OPTION] == [
        "lk-darmstadt-dieburg",
        "lhs-wiesbaden",
        "main-taunus-kreis",
        "lk-fulda",
        "lahn-dill-kreis",
    ]


def test_werle_speaks_for_the_ag_kjc(bundled: Directory) -> None:
    assert [p.id for p in bundled.people_of("ag-kjc")] == ["joachim-werle"]


def test_members_of_the_konferenz_der_optionsstaedte(bundled: Directory) -> None:
    konferenz = bundled.organizations["dst-konferenz-optionsstaedte"]
    assert sorted(konferenz.members) == ["lhs-wiesbaden", "stadt-offenbach"]
    assert [org.id for org in bundled.organizations.values() if org.members] == [
        "dst-konferenz-optionsstaedte"
    ]
    # and the other way round: the two cities are members of the Konferenz, nothing else is
    member_of = {
        org.id: [body.id for body in bundled.member_of(org.id)]
        for org in bundled.organizations.values()
        if bundled.member_of(org.id)
    }
    assert member_of == {
        "lhs-wiesbaden": ["dst-konferenz-optionsstaedte"],
        "stadt-offenbach": ["dst-konferenz-optionsstaedte"],
    }


def test_each_federal_body_represents_its_own_members(bundled: Directory) -> None:
    """The page says of both: "Beide vertreten ihre Mitglieder (die Landkreistage und
    Städtetage)": the DLT's are the Landkreistage, the DST's the Städtetage."""
    dlt = bundled.organizations["dlt"].tasks
    dst = bundled.organizations["dst"].tasks
    assert dlt[0] == (
        "vertritt seine Mitglieder (die Landkreistage) gegenüber Bundesregierung, "
        "Bundestag sowie Bundesrat"
    )
    assert dst[0] == (
        "vertritt seine Mitglieder (die Städtetage) gegenüber Bundesregierung, "
        "Bundestag sowie Bundesrat"
    )
    texts = [
        text
        for org in bundled.organizations.values()
        for text in (org.description or "", *org.tasks)
    ]
    assert not [text for text in texts if "Landkreistage und Städtetage" in text]


# Every role of the data, as a card and a vCard's TITLE show it: noun phrases, no sentences.
ROLES = {
    ("felix-wuerfel", "hlt-sozialreferat"): "Leiter des Sozialreferats",
    ("laura-brennert", "hlt-koordinierungsstelle"): "Begleitung der Koordinierungsstelle",
    ("michael-hofmeister", "hstt-sozialreferat"): "Leiter des Sozialreferats",
    ("rena-wissmeier", "hstt-regiestelle"): "Regiestelle SGB II",
    ("rosemarie-lueck", "lk-darmstadt-dieburg"): "Kreisbeigeordnete",
    **{(pid, "dlt-ak-option"): "hessisches Mitglied im AK Option" for pid in AK_OPTION},
    ("joachim-werle", "ag-kjc"): "Sprecher der hessischen AG KJC",
}
# The finite verbs and participles the roles were written with before, and their kin.
VERBS = {"hat", "ist", "wird", "wurde", "begleitet", "vertritt", "übernommen", "vertreten"}


def test_every_role_is_a_noun_phrase(bundled: Directory) -> None:
    roles = {
        (person.id, aff.org_id): aff.role
        for person in bundled.people.values()
        for aff in person.affiliations
        if aff.role
    }
    assert roles == ROLES
    for role in roles.values():
        assert not VERBS & set(role.split()), role
    assert "Vertretung des Landes Hessen" not in roles.values()  # read as the state's office


def test_salutations_only_where_the_page_gives_them(bundled: Directory) -> None:
    salutations = {pid: bundled.people[pid].salutation for pid in PEOPLE}
    assert salutations == {
        **{pid: None for pid in PEOPLE},
        "rena-wissmeier": "Frau",  # "von Frau Rena Wißmeier übernommen"
        # "durch Frau Kreisbeigeordnete Rosemarie Lück"
        "rosemarie-lueck": "Frau Kreisbeigeordnete",
    }


def test_task_lists_and_their_lengths(bundled: Directory) -> None:
    lengths = {org.id: len(org.tasks) for org in bundled.organizations.values() if org.tasks}
    assert lengths == {
        "hlt": 8,
        "hlt-koordinierungsstelle": 3,
        "hstt-regiestelle": 6,
        "dlt": 2,
        "dst": 2,
    }
    hlt = bundled.organizations["hlt"].tasks
    assert hlt[0] == "den Selbstverwaltungsgedanken zu pflegen"
    assert hlt[-1] == "die Mitglieder in landkreisbezogenen Fragen zu beraten"
    assert bundled.organizations["hstt"].tasks == ()  # "seiner Mitglieder", "Landkreise": HLT's
    regie = bundled.organizations["hstt-regiestelle"].tasks
    assert regie[0].startswith("Aufarbeitung aktueller Entwicklungen im SGB II bzw. SGB III")
    assert regie[2] == "Vorbereitung und Durchführung von Fachtagungen"
    assert "§ 44b SGB II" in regie[5]
    koordinierung = bundled.organizations["hlt-koordinierungsstelle"].tasks
    assert "AG KJC" in koordinierung[0]
    assert "Messeauftritten und Fachveranstaltungen" in koordinierung[2]
    assert bundled.organizations["dlt"].tasks[1] == bundled.organizations["dst"].tasks[1]
    assert all(
        task.strip() == task and task
        for org in bundled.organizations.values()
        for task in org.tasks
    )


def test_websites(bundled: Directory) -> None:
    websites = {
        org.id: list(org.websites) for org in bundled.organizations.values() if org.websites
    }
    assert websites == {
        "hlt": ["https://www.hlt.de"],
        "hstt": ["https://www.hess-staedtetag.de"],
        "dlt": [
            "https://www.kreise.de",
            "https://www.kommunenfuerarbeit.de",
            "https://www.kommunale-jobcenter.de",
        ],
        "dst": ["https://www.staedtetag.de"],
    }
    assert [pid for pid in PEOPLE if bundled.people[pid].websites] == []


@pytest.mark.parametrize(
    ("org_id", "facts"),
    [
        ("hlt", ["21 hessischen Landkreise"]),
        ("hstt", ["74 hessischen Städten und Gemeinden"]),
        ("dlt", ["295 Landkreise"]),
        (
            "hlt-koordinierungsstelle",
            ["14 von 21 hessischen Landkreisen", "zwei der fünf", "seit April 2007"],
        ),
        ("hstt-regiestelle", ["Seit 2012"]),
        ("dst-konferenz-optionsstaedte", ["Offenbach und Wiesbaden"]),
    ],
)
def test_facts_about_a_body_are_in_its_description(
    bundled: Directory, org_id: str, facts: list[str]
) -> None:
    description = bundled.organizations[org_id].description or ""
    for fact in facts:
        assert fact in description


def test_topics_users_search_for(bundled: Directory) -> None:
    topics = {org.id: set(org.topics) for org in bundled.organizations.values()}
    assert {"SGB II", "Stellungnahmen", "Fachtagungen"} <= topics["hstt-regiestelle"]
    assert {"Messeauftritte", "Öffentlichkeitsarbeit", "AG KJC"} <= topics[
        "hlt-koordinierungsstelle"
    ]


# -- against the page itself (../shared/seed) --------------------------------------------


def _seed(shared: Path) -> str:
    pages = sorted((shared / "seed").glob("*.txt"))
    if not pages:
        pytest.skip(f"no seed page in {shared / 'seed'}")
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def _national(e164: str) -> str:
    """+49611170669 → the page's 0611/1706-69 (area code 611, then the rest)."""
    assert e164.startswith("+49611")
    return "0611/" + e164[6:]


def test_every_phone_number_is_on_the_page(bundled: Directory, shared: Path) -> None:
    page = re.sub(r"-", "", _seed(shared))
    for pid in PEOPLE:
        for phone in bundled.people[pid].phones:
            assert _national(phone.e164) in page, (pid, phone)


def test_every_email_and_person_is_on_the_page(bundled: Directory, shared: Path) -> None:
    page = _seed(shared)
    for pid in PEOPLE:
        person = bundled.people[pid]
        assert person.name in page, pid
        for email in person.emails:
            assert f"E-Mail: {email}" in page, pid


def test_every_website_is_on_the_page(bundled: Directory, shared: Path) -> None:
    page = _seed(shared)
    for org in bundled.organizations.values():
        for url in org.websites:
            assert url.removeprefix("https://") in page, (org.id, url)


def test_the_page_says_each_salutation_and_no_other(bundled: Directory, shared: Path) -> None:
    page = " ".join(_seed(shared).split())
    for pid in PEOPLE:
        person = bundled.people[pid]
        if person.salutation:
            assert f"{person.salutation} {person.name}" in page, pid
        else:  # neither "Frau" nor "Herr" before the name, with or without a title between
            before = re.compile(rf"\b(?:Frau|Herr)\b(?:\s+\w+)?\s+{re.escape(person.name)}")
            assert not before.search(page), pid


def test_the_page_says_what_the_roles_and_members_rest_on(shared: Path) -> None:
    """The sentences of the page that items 7 to 9 of issue 11 rest on."""
    page = " ".join(_seed(shared).split())
    for sentence in (
        "Beide vertreten ihre Mitglieder (die Landkreistage und Städtetage) gegenüber "
        "Bundesregierung, Bundestag sowie Bundesrat",
        "Die Koordinierungsstelle für die Kommunalen Jobcenter wird von Laura Brennert begleitet.",
        "Seit 2012 gibt es eine Regiestelle SGB II beim Hessischen Städtetag. Diese Aufgaben "
        "wurde von Frau Rena Wißmeier übernommen.",
        "einen AK Option eingerichtet, in dem das Land Hessen durch Frau Kreisbeigeordnete "
        "Rosemarie Lück",
        "Sprecher der hessischen AG KJC",
        "Leiter des Sozialreferats des HLT ist Felix Würfel",
        "die Konferenz der Optionsstädte eingerichtet, in der die beiden hessischen "
        "Optionsstädte Offenbach und Wiesbaden vertreten sind",
    ):
        assert sentence in page, sentence


def test_every_task_is_on_the_page(bundled: Directory, shared: Path) -> None:
    page = " ".join(_seed(shared).split())
    for org_id in ("hlt", "hstt-regiestelle"):
        for task in bundled.organizations[org_id].tasks:
            assert task in page, (org_id, task)
