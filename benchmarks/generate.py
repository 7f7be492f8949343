"""Synthetic directories in kjcdir's file format, for benchmarks and scale tests.

    python benchmarks/generate.py N OUT.yaml [--seed S]

writes N people in about N/25 organisations: Hessian counties and cities (Landkreis,
kreisfreie Stadt), each with its Kommunales Jobcenter, the jobcenter's sites (Standorte)
and their teams. People have German given and family names (with umlauts and ß), roles,
topics, e-mail addresses and valid German phone numbers in DIN 5008 international form
(+49 6151 881-234), checked with phonenumbers when it is installed. The output is the
same for the same N and seed, so that benchmark runs compare like with like.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

# Hessian bodies with a real area code, the postal code and town of their seat.
BODIES = [
    ("Landkreis Darmstadt-Dieburg", "6151", "64283", "Darmstadt"),
    ("Main-Taunus-Kreis", "6192", "65719", "Hofheim am Taunus"),
    ("Landkreis Fulda", "661", "36037", "Fulda"),
    ("Lahn-Dill-Kreis", "6441", "35578", "Wetzlar"),
    ("Landeshauptstadt Wiesbaden", "611", "65189", "Wiesbaden"),
    ("Stadt Offenbach am Main", "69", "63065", "Offenbach am Main"),
    ("Landkreis Kassel", "561", "34117", "Kassel"),
    ("Landkreis Gießen", "641", "35390", "Gießen"),
    ("Landkreis Marburg-Biedenkopf", "6421", "35037", "Marburg"),
    ("Wetteraukreis", "6031", "61169", "Friedberg (Hessen)"),
    ("Hochtaunuskreis", "6172", "61348", "Bad Homburg vor der Höhe"),
    ("Main-Kinzig-Kreis", "6051", "63571", "Gelnhausen"),
    ("Kreis Bergstraße", "6252", "64646", "Heppenheim"),
    ("Landkreis Hersfeld-Rotenburg", "6621", "36251", "Bad Hersfeld"),
    ("Landkreis Waldeck-Frankenberg", "5631", "34497", "Korbach"),
    ("Schwalm-Eder-Kreis", "5681", "34576", "Homberg (Efze)"),
    ("Odenwaldkreis", "6062", "64711", "Erbach"),
    ("Landkreis Limburg-Weilburg", "6431", "65549", "Limburg an der Lahn"),
    ("Rheingau-Taunus-Kreis", "6124", "65307", "Bad Schwalbach"),
    ("Vogelsbergkreis", "6641", "36341", "Lauterbach (Hessen)"),
    ("Werra-Meißner-Kreis", "5651", "37269", "Eschwege"),
    ("Kreis Offenbach", "6074", "63128", "Dietzenbach"),
    ("Kreis Groß-Gerau", "6152", "64521", "Groß-Gerau"),
    ("Stadt Frankfurt am Main", "69", "60311", "Frankfurt am Main"),
    ("Stadt Kassel", "561", "34117", "Kassel"),
    ("Wissenschaftsstadt Darmstadt", "6151", "64283", "Darmstadt"),
]
STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Schloßplatz", "Friedrich-Ebert-Straße", "Kaiserstraße",
    "Am Marktplatz", "Lindenstraße", "Goethestraße", "Schillerstraße", "Gartenstraße",
    "Mühlweg", "Rathausplatz", "Wilhelmstraße", "Königsberger Straße", "Brückenstraße",
]  # fmt: skip
SITES = [
    "Nord", "Süd", "Ost", "West", "Mitte", "Innenstadt", "Altstadt", "Bahnhof", "Am Kreishaus",
    "Oberstadt", "Unterstadt", "Talstraße", "Schlossberg", "Auenland", "Hügelland", "Grünzug",
]  # fmt: skip
TEAMS = [
    ("Arbeitsvermittlung", ["Arbeitsvermittlung", "Stellenangebote", "Vermittlungsbudget"]),
    ("Fallmanagement", ["Fallmanagement", "Eingliederungsvereinbarung", "Kooperationsplan"]),
    ("Leistungsgewährung", ["Bürgergeld", "Regelbedarf", "Mehrbedarf"]),
    ("Kosten der Unterkunft", ["Kosten der Unterkunft", "Heizkosten", "Mietobergrenzen"]),
    ("Bildung und Teilhabe", ["Bildung und Teilhabe", "Schulbedarf", "Lernförderung"]),
    ("U25", ["Jugendberufsagentur", "Ausbildung", "Übergang Schule–Beruf"]),
    ("Reha und Schwerbehinderung", ["Rehabilitation", "Schwerbehinderung", "Teilhabe"]),
    ("Migration und Integration", ["Integrationskurse", "Sprachförderung", "Anerkennung"]),
    ("Arbeitgeberservice", ["Arbeitgeberservice", "Eingliederungszuschuss", "Stellenakquise"]),
    ("Widerspruchsstelle", ["Widersprüche", "Sozialgericht", "Rechtsbehelfe"]),
    ("Forderungsmanagement", ["Rückforderungen", "Erstattungen", "Ordnungswidrigkeiten"]),
    ("Selbstständige", ["Selbstständigkeit", "Einkommensprüfung", "Gründungszuschuss"]),
    ("Eingangszone", ["Erstantrag", "Antragsannahme", "Terminvergabe"]),
    ("Kommunale Leistungen", ["Schuldnerberatung", "Suchtberatung", "Kinderbetreuung"]),
]  # fmt: skip
ROLES = {
    "Arbeitsvermittlung": ["Arbeitsvermittlerin", "Arbeitsvermittler"],
    "Fallmanagement": ["Fallmanagerin", "Fallmanager"],
    "default": ["Sachbearbeiterin", "Sachbearbeiter"],
}
LEAD_ROLES = ["Teamleitung", "Stellvertretende Teamleitung"]
JOBCENTER_ROLES = [
    "Leitung des Jobcenters", "Stellvertretende Leitung", "Controlling", "Datenschutz",
    "Beauftragte für Chancengleichheit am Arbeitsmarkt", "Pressestelle", "Qualitätsmanagement",
]  # fmt: skip
GIVEN_NAMES = [
    "Jürgen", "Jörg", "Björn", "Sören", "Günter", "Günther", "Bärbel", "Käthe", "Jürgen",
    "Hans-Jürgen", "Ursula", "Renée", "André", "José", "Zoë", "Anna", "Lena", "Marie", "Sophie",
    "Laura", "Julia", "Sarah", "Katharina", "Johanna", "Leonie", "Hannah", "Lea", "Emilia",
    "Maximilian", "Alexander", "Lukas", "Felix", "Jonas", "Leon", "Paul", "Elias", "Finn",
    "Michael", "Thomas", "Andreas", "Stefan", "Christian", "Martin", "Peter", "Klaus", "Wolfgang",
    "Sabine", "Petra", "Monika", "Gabriele", "Birgit", "Claudia", "Susanne", "Andrea", "Heike",
    "Jörn", "Maik", "Ömer", "Ayşe", "Özlem", "Çağla", "Dörte", "Gönül", "Hülya", "Müjgan",
    "Rosemarie", "Ariane", "Joachim", "Rena", "Felicitas", "Friederike", "Götz", "Lüder",
]  # fmt: skip
FAMILY_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller",
    "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke",
    "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt",
    "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff",
    "Pfeiffer", "Strauß", "Große", "Lück", "Würfel", "Wißmeier", "Brennert", "Patzelt",
    "Öztürk", "Yılmaz", "Çelik", "Kowalski", "Nowak", "Dubowy", "Hübner", "Förster",
]  # fmt: skip
# Rarer family names, built from German stems and endings: a directory of a whole state
# holds thousands of distinct names, not a hundred.
STEMS = [
    "Hof", "Berg", "Wald", "Stein", "Lind", "Schön", "Mühl", "Bach", "Brück", "Eich",
    "Fried", "Gräf", "Holz", "Kirch", "Lau", "Rös", "Sonn", "Tann", "Wies", "Zöll",
    "Dör", "Häf", "Jüng", "Kött", "Löw", "Nöl", "Rüd", "Spä", "Thü", "Wüst",
]  # fmt: skip
ENDINGS = [
    "mann", "er", "meier", "inger", "häuser", "bach", "berger", "ke", "lein", "ner",
    "ling", "hardt", "wald", "stedt", "mayer", "müller", "weiler", "rich", "kötter", "ß",
]  # fmt: skip

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def ascii_slug(text: str, separator: str = "-") -> str:
    """Jürgen Groß → juergen-gross: for ids and e-mail addresses."""
    folded = text.casefold().translate(_TRANSLITERATION)
    plain = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    words = "".join(char if char.isalnum() else " " for char in plain).split()
    return separator.join(words)


def _place(body: str) -> str:
    """Landkreis Darmstadt-Dieburg → Darmstadt-Dieburg: what a jobcenter is named after."""
    for prefix in ("Landeshauptstadt ", "Wissenschaftsstadt ", "Landkreis ", "Kreis ", "Stadt "):
        if body.startswith(prefix):
            return body[len(prefix) :]
    return body


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(_quoted(item) for item in items) + "]"


# Zipf weights: the first names of the list are the most common ones.
_ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(FAMILY_NAMES) + 1)))


class _Unique:
    """Distinct names: a base, then base-2, base-3, ... (never one that was used)."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self.used: set[str] = set()
        self.next: dict[str, int] = {}

    def make(self, base: str) -> str:
        candidate = base
        number = self.next.get(base, 1)
        while candidate in self.used:
            number += 1
            candidate = base + self.suffix.format(number)
        self.next[base] = number
        self.used.add(candidate)
        return candidate


class _PhoneChecker:
    """Checks generated numbers with phonenumbers (when installed), as the loader will."""

    def __init__(self) -> None:
        try:
            import phonenumbers
        except ImportError:  # pragma: no cover - phonenumbers is a dependency of kjcdir
            self.phonenumbers = None
        else:
            self.phonenumbers = phonenumbers

    def valid(self, display: str) -> bool:
        if self.phonenumbers is None:
            return True
        try:
            number = self.phonenumbers.parse(display, "DE")
        except self.phonenumbers.NumberParseException:
            return False
        return bool(self.phonenumbers.is_valid_number(number))


class Generator:
    def __init__(self, people: int, seed: int) -> None:
        self.count = people
        self.random = random.Random(seed)
        self.phones = _PhoneChecker()
        self.used_ids = _Unique("-{}")
        self.used_emails = _Unique("{}")
        self.used_bases: set[tuple[str, str]] = set()
        self.family_names = FAMILY_NAMES + [
            stem + (ending[1:] if stem.endswith(ending[0]) else ending)
            for stem in STEMS
            for ending in ENDINGS
        ]

    # -- helpers ------------------------------------------------------------------
    def unique_id(self, base: str) -> str:
        return self.used_ids.make(base)

    def phone_base(self, area: str) -> str:
        """A switchboard prefix (area code + 3 or 4 digits) no other unit uses."""
        digits = 3 if len(area) >= 4 else 4
        while True:
            first = self.random.choice("2345789")
            base = first + "".join(self.random.choice("0123456789") for _ in range(digits - 1))
            if (area, base) not in self.used_bases:
                self.used_bases.add((area, base))
                return base

    def phone(self, area: str, base: str, extension: int) -> str:
        display = f"+49 {area} {base}-{extension}"
        if not self.phones.valid(display):
            raise ValueError(f"generated an invalid phone number: {display}")
        return display

    def family_name(self) -> str:
        # Common names often, built ones (thousands of them) for the long tail.
        if self.random.random() < 0.6:
            return self.random.choices(FAMILY_NAMES, cum_weights=_ZIPF)[0]
        return self.random.choice(self.family_names)

    # -- the directory ------------------------------------------------------------
    def organizations(self) -> Iterator[dict[str, object]]:
        total = max(3, round(self.count / 25))
        tops = max(1, min(len(BODIES), total // 8))
        for top_index in range(tops):
            name, area, postal_code, city = BODIES[top_index]
            share = total // tops + (1 if top_index < total % tops else 0)
            top_id = self.unique_id(ascii_slug(name))
            street = self.random.choice(STREETS)
            address = {
                "street": f"{street} {self.random.randint(1, 120)}",
                "postal_code": postal_code,
                "city": city,
            }
            yield {
                "id": top_id,
                "name": name,
                "address": address,
                "websites": [f"https://www.{ascii_slug(name, '')}.de"],
                "description": f"{name}: Träger eines Kommunalen Jobcenters in Hessen.",
                "topics": ["Optionskommune", "SGB II"],
                "_kind": "top",
            }
            if share < 2:
                continue
            jobcenter_id = self.unique_id(f"{top_id}-jobcenter")
            label = _place(name)
            domain = f"jobcenter-{ascii_slug(label, '')}.de"
            base = self.phone_base(area)
            yield {
                "id": jobcenter_id,
                "name": f"Kommunales Jobcenter {label}",
                "short": f"KJC {label}",
                "aliases": [f"Jobcenter {label}"],
                "parent": top_id,
                "phones": [self.phone(area, base, 0)],
                "emails": [f"info@{domain}"],
                "topics": ["Jobcenter", "Grundsicherung für Arbeitsuchende"],
                "_kind": "jobcenter",
                "_area": area,
                "_base": base,
                "_domain": domain,
            }
            remaining = share - 2
            sites = max(1, remaining // 12) if remaining else 0
            site_ids: list[tuple[str, str]] = []
            for site_index in range(sites):
                label = SITES[site_index % len(SITES)]
                if site_index >= len(SITES):
                    label = f"{label} {site_index // len(SITES) + 1}"
                site_id = self.unique_id(f"{jobcenter_id}-{ascii_slug(label)}")
                site_ids.append((site_id, label))
                base = self.phone_base(area)
                yield {
                    "id": site_id,
                    "name": f"Standort {label}",
                    "parent": jobcenter_id,
                    "address": {
                        "street": f"{self.random.choice(STREETS)} {self.random.randint(1, 99)}",
                        "postal_code": postal_code,
                        "city": city,
                    },
                    "phones": [self.phone(area, base, 0)],
                    "_kind": "site",
                    "_area": area,
                    "_base": base,
                    "_domain": domain,
                }
            for team_index in range(remaining - sites):
                site_id, label = site_ids[team_index % len(site_ids)]
                team, topics = TEAMS[(team_index // len(site_ids)) % len(TEAMS)]
                round_number = team_index // (len(site_ids) * len(TEAMS))
                team_name = f"{team} {round_number + 1}" if round_number else team
                base = self.phone_base(area)
                yield {
                    "id": self.unique_id(f"{site_id}-{ascii_slug(team_name)}"),
                    "name": f"Team {team_name}",
                    "parent": site_id,
                    "emails": [f"{ascii_slug(team_name)}.{ascii_slug(label)}@{domain}"],
                    "tasks": [f"{topics[0]} für den Standort {label}"],
                    "topics": topics,
                    "_kind": "team",
                    "_team": team,
                    "_area": area,
                    "_base": base,
                    "_domain": domain,
                }

    def people(self, orgs: list[dict[str, object]]) -> Iterator[dict[str, object]]:
        workplaces = [org for org in orgs if org["_kind"] != "top"] or orgs
        teams = [org for org in workplaces if org["_kind"] == "team"] or workplaces
        offices = [org for org in workplaces if org["_kind"] != "team"] or workplaces
        extensions: dict[str, int] = {}
        leads: set[str] = set()
        for number in range(self.count):
            # Most staff work in teams; one in twenty in a jobcenter's or site's office.
            if number % 20 == 0:
                org = offices[(number // 20) % len(offices)]
            else:
                org = teams[number % len(teams)]
            org_id = str(org["id"])
            given = self.random.choice(GIVEN_NAMES)
            family = self.family_name()
            person_id = self.unique_id(ascii_slug(f"{given} {family}"))
            kind = org["_kind"]
            if kind == "team" and org_id not in leads:
                leads.add(org_id)
                role = LEAD_ROLES[0]
            elif kind in ("jobcenter", "site", "top"):
                role = self.random.choice(JOBCENTER_ROLES)
            else:
                choices = ROLES.get(str(org.get("_team")), ROLES["default"])
                role = self.random.choice(choices)
            affiliations = [{"org": org_id, "role": role}]
            if self.random.random() < 0.04:
                other = self.random.choice(workplaces)
                if other["id"] != org_id:
                    affiliations.append({"org": str(other["id"]), "role": "Vertretung"})
            person: dict[str, object] = {
                "id": person_id,
                "given_name": given,
                "family_name": family,
                "affiliations": affiliations,
            }
            if "_area" in org:
                extension = extensions.get(org_id, 10) + self.random.randint(1, 3)
                extensions[org_id] = extension
                person["phones"] = [self.phone(str(org["_area"]), str(org["_base"]), extension)]
                local = ascii_slug(f"{given} {family}", ".")
                person["emails"] = [f"{self.used_emails.make(local)}@{org['_domain']}"]
            if self.random.random() < 0.1:
                person["topics"] = [self.random.choice(TEAMS)[1][-1]]
            yield person


def write(out: TextIO, people: int, seed: int = 1) -> None:
    """Write the synthetic directory of `people` people to the stream."""
    generator = Generator(people, seed)
    orgs = list(generator.organizations())
    out.write(
        "# Synthetic kjcdir directory (benchmarks/generate.py): "
        f"{people} people, {len(orgs)} organisations, seed {seed}.\n"
    )
    out.write("meta:\n")
    out.write(f"  title: {_quoted(f'Synthetische Jobcenter-Daten ({people} Personen)')}\n")
    out.write('  source: "benchmarks/generate.py"\n')
    out.write('  as_of: "2026-11-24"\n')
    out.write("organizations:\n")
    for org in orgs:
        out.write(f"  - id: {org['id']}\n")
        for key, value in org.items():
            if key == "id" or key.startswith("_"):
                continue
            out.write(f"    {key}: {_value(value)}\n")
    out.write("people:\n")
    for person in generator.people(orgs):
        out.write(f"  - id: {person['id']}\n")
        for key, value in person.items():
            if key != "id":
                out.write(f"    {key}: {_value(value)}\n")


def _value(value: object) -> str:
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_quoted(str(v))}" for key, v in value.items()) + "}"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "[" + ", ".join(_value(item) for item in value) + "]"
        return _flow_list([str(item) for item in value])
    raise TypeError(f"cannot write {value!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("people", type=int, help="how many people")
    parser.add_argument("out", type=Path, help="the YAML file to write ('-' for stdout)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("N must be at least 1")
    if str(args.out) == "-":
        write(sys.stdout, args.people, args.seed)
        return 0
    temporary = args.out.with_name(f".{args.out.name}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
        write(stream, args.people, args.seed)
    temporary.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
