"""Synthetic ACLED exports for the benchmark: the current 31-column layout, a fixed seed.

The points cluster around real towns of Iraq and Syria with a heavy-tailed weight per town,
dates spread over five years, and event types, actors and fatalities follow mixes like those
of ACLED's Middle East data. Nothing here is real: the files only exercise the code at scale.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.incidents import coerce_incidents
from geo.schema import EVENT_TYPES, INCIDENT_FIELDS

ACLED_COLUMNS: Final = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
DEFAULT_SEED: Final = 20240128
FIRST_DAY: Final = date(2019, 1, 1)
DAYS: Final = 5 * 365 + 1  # 2019-01-01 .. 2023-12-31

# (location, admin1, country, latitude, longitude); public town coordinates, rounded.
TOWNS: Final = (
    ("Baghdad", "Baghdad", "Iraq", 33.315, 44.366),
    ("Mosul", "Ninewa", "Iraq", 36.340, 43.130),
    ("Basra", "Basrah", "Iraq", 30.508, 47.783),
    ("Kirkuk", "Kirkuk", "Iraq", 35.468, 44.392),
    ("Erbil", "Erbil", "Iraq", 36.191, 44.009),
    ("Fallujah", "Anbar", "Iraq", 33.350, 43.783),
    ("Ramadi", "Anbar", "Iraq", 33.426, 43.299),
    ("Tikrit", "Salah al-Din", "Iraq", 34.607, 43.678),
    ("Samarra", "Salah al-Din", "Iraq", 34.198, 43.874),
    ("Baqubah", "Diyala", "Iraq", 33.746, 44.643),
    ("Najaf", "Najaf", "Iraq", 32.000, 44.336),
    ("Karbala", "Karbala", "Iraq", 32.616, 44.024),
    ("Hillah", "Babil", "Iraq", 32.483, 44.433),
    ("Nasiriyah", "Thi-Qar", "Iraq", 31.052, 46.262),
    ("Amarah", "Maysan", "Iraq", 31.836, 47.145),
    ("Kut", "Wasit", "Iraq", 32.505, 45.824),
    ("Sulaymaniyah", "Sulaymaniyah", "Iraq", 35.557, 45.435),
    ("Duhok", "Duhok", "Iraq", 36.867, 42.988),
    ("Sinjar", "Ninewa", "Iraq", 36.322, 41.864),
    ("Al Qaim", "Anbar", "Iraq", 34.369, 41.094),
    ("Damascus", "Damascus", "Syria", 33.513, 36.292),
    ("Aleppo", "Aleppo", "Syria", 36.202, 37.134),
    ("Homs", "Homs", "Syria", 34.731, 36.710),
    ("Hama", "Hama", "Syria", 35.132, 36.750),
    ("Idlib", "Idleb", "Syria", 35.931, 36.632),
    ("Ar-Raqqa", "Ar-Raqqa", "Syria", 35.950, 39.009),
    ("Deir-ez-Zor", "Deir-ez-Zor", "Syria", 35.336, 40.141),
    ("Al-Hasakeh", "Al-Hasakeh", "Syria", 36.502, 40.747),
    ("Qamishli", "Al-Hasakeh", "Syria", 37.052, 41.231),
    ("Latakia", "Lattakia", "Syria", 35.521, 35.783),
    ("Tartous", "Tartous", "Syria", 34.889, 35.887),
    ("Dar'a", "Dar'a", "Syria", 32.625, 36.106),
    ("As-Sweida", "As-Sweida", "Syria", 32.709, 36.566),
    ("Tadmor", "Homs", "Syria", 34.560, 38.267),
    ("Al Bukamal", "Deir-ez-Zor", "Syria", 34.453, 40.918),
    ("Menbij", "Aleppo", "Syria", 36.528, 37.955),
    ("Afrin", "Aleppo", "Syria", 36.512, 36.869),
    ("Ain al Arab", "Aleppo", "Syria", 36.891, 38.354),
    ("Tell Abiad", "Ar-Raqqa", "Syria", 36.697, 38.957),
    ("A'zaz", "Aleppo", "Syria", 36.586, 37.046),
)  # fmt: skip
COUNTRY_CODES: Final = {"Iraq": ("IRQ", 368), "Syria": ("SYR", 760)}

# (event type, share of events); the sub-event type is drawn uniformly within the type.
EVENT_MIX: Final = (
    ("Explosions/Remote violence", 0.34), ("Battles", 0.22), ("Protests", 0.18),
    ("Violence against civilians", 0.12), ("Strategic developments", 0.10), ("Riots", 0.04),
)  # fmt: skip
# (actor, ACLED actor type in words, share); actor2 is drawn from the same list.
ACTORS: Final = (
    ("Military Forces of Syria (2000-)", "State forces", 0.16),
    ("Islamic State (Iraq)", "Rebel group", 0.10),
    ("Military Forces of Iraq (2018-)", "State forces", 0.09),
    ("Hayat Tahrir al Sham", "Rebel group", 0.08),
    ("Military Forces of Russia (2000-)", "External/Other forces", 0.07),
    ("Military Forces of Turkey (2016-)", "External/Other forces", 0.06),
    ("SDF: Syrian Democratic Forces", "Rebel group", 0.06),
    ("Protesters (Iraq)", "Protesters", 0.06),
    ("Popular Mobilization Forces", "Political militia", 0.05),
    ("Kataib Hezbollah", "Political militia", 0.04),
    ("Unidentified Armed Group (Syria)", "Political militia", 0.05),
    ("Military Forces of the United States", "External/Other forces", 0.03),
    ("Rioters (Iraq)", "Rioters", 0.03),
    ("Islamic State (Syria)", "Rebel group", 0.04),
    ("Police Forces of Iraq (2018-)", "State forces", 0.03),
    ("Tribal Militia (Iraq)", "Identity militia", 0.03),
    ("Civilians (Syria)", "Civilians", 0.02),
)
SOURCES: Final = ("Shafaq News", "Rudaw", "SOHR", "Kurdistan 24", "Enab Baladi", "Twitter",
                  "Iraqi News Agency", "SANA", "Asharq Al-Awsat")  # fmt: skip


def generate_acled(n: int, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Generate ``n`` synthetic incidents in ACLED's current column layout.

    Parameters
    ----------
    n : int
        Number of incidents.
    seed : int, default :data:`DEFAULT_SEED`
        The same seed and ``n`` give the same table.

    Returns
    -------
    DataFrame
        The 31 columns of :data:`ACLED_COLUMNS`, all as text or numbers ready for CSV.
    """
    rng = np.random.default_rng(seed)
    town_weight = 1.0 / np.arange(1, len(TOWNS) + 1) ** 0.8  # a few towns dominate
    town = rng.choice(len(TOWNS), size=n, p=town_weight / town_weight.sum())
    towns = pd.DataFrame(TOWNS, columns=["location", "admin1", "country", "lat", "lon"])
    spread = rng.choice([0.01, 0.08, 0.35], size=n, p=[0.5, 0.35, 0.15])  # centre, suburbs, area
    lat = towns["lat"].to_numpy()[town] + rng.normal(0, 1, n) * spread
    lon = towns["lon"].to_numpy()[town] + rng.normal(0, 1, n) * spread
    geo_precision = np.select([spread < 0.05, spread < 0.1], [1, 2], 3)

    # More events in later years, and the same day for many events (ACLED's daily batches).
    day = np.floor(DAYS * rng.random(n) ** 0.85).astype(np.int64)
    dates = np.datetime64(FIRST_DAY, "D") + day
    date_text = pd.Series(dates).dt.strftime("%Y-%m-%d")

    type_names = [t for t, _ in EVENT_MIX]
    type_index = rng.choice(len(EVENT_MIX), size=n, p=[s for _, s in EVENT_MIX])
    sub_pick = rng.random(n)
    sub_events = np.empty(n, dtype=object)
    for i, name in enumerate(type_names):
        subs = EVENT_TYPES[name]
        rows = type_index == i
        sub_events[rows] = np.asarray(subs, dtype=object)[(sub_pick[rows] * len(subs)).astype(int)]
    event_types = np.asarray(type_names, dtype=object)[type_index]

    actor_names = np.asarray([a for a, _, _ in ACTORS], dtype=object)
    actor_kinds = np.asarray([k for _, k, _ in ACTORS], dtype=object)
    shares = np.asarray([s for _, _, s in ACTORS])
    a1 = rng.choice(len(ACTORS), size=n, p=shares / shares.sum())
    a2 = rng.choice(len(ACTORS), size=n, p=shares / shares.sum())
    has_a2 = (rng.random(n) < 0.6) & (a2 != a1)
    assoc = rng.choice(len(ACTORS), size=n, p=shares / shares.sum())
    has_assoc = (rng.random(n) < 0.15) & (assoc != a1)

    fatalities = np.where(rng.random(n) < 0.7, 0, rng.geometric(0.25, n))
    fatalities = np.where(np.isin(type_index, [2]), 0, fatalities)  # protests: none

    country = towns["country"].to_numpy()[town]
    iso = np.where(country == "Iraq", 368, 760)
    prefix = np.where(country == "Iraq", "IRQ", "SYR")
    serial = pd.Series(np.arange(1, n + 1)).astype(str)
    location = towns["location"].to_numpy()[town]
    actor1 = actor_names[a1]
    actor2 = np.where(has_a2, actor_names[a2], "")
    inter2 = np.where(has_a2, actor_kinds[a2], "")
    interaction = np.where(
        has_a2,
        pd.Series(actor_kinds[a1]).str.cat(pd.Series(inter2), sep="-").to_numpy(),
        pd.Series(actor_kinds[a1]).str.cat(["only"] * n, sep="-").to_numpy() if n else [],
    )
    notes = (
        "On "
        + date_text
        + ", "
        + pd.Series(actor1)
        + " "
        + pd.Series(sub_events).str.lower()
        + " reported in "
        + pd.Series(location)
        + " ("
        + pd.Series(towns["admin1"].to_numpy()[town])
        + "). "
        + pd.Series(fatalities).astype(str)
        + " fatalities reported."
    )
    frame = pd.DataFrame(
        {
            "event_id_cnty": pd.Series(prefix).str.cat(serial),
            "event_date": date_text,
            "year": dates.astype("datetime64[Y]").astype(int) + 1970,
            "time_precision": rng.choice([1, 2, 3], size=n, p=[0.85, 0.12, 0.03]),
            "disorder_type": np.where(type_index == 2, "Demonstrations", "Political violence"),
            "event_type": event_types,
            "sub_event_type": sub_events,
            "actor1": actor1,
            "assoc_actor_1": np.where(has_assoc, actor_names[assoc], ""),
            "inter1": actor_kinds[a1],
            "actor2": actor2,
            "assoc_actor_2": "",
            "inter2": inter2,
            "interaction": interaction,
            "civilian_targeting": np.where(type_index == 3, "Civilian targeting", ""),
            "iso": iso,
            "region": "Middle East",
            "country": country,
            "admin1": towns["admin1"].to_numpy()[town],
            "admin2": "",
            "admin3": "",
            "location": location,
            "latitude": np.round(lat, 4),
            "longitude": np.round(lon, 4),
            "geo_precision": geo_precision,
            "source": np.asarray(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)],
            "source_scale": "National",
            "notes": notes,
            "fatalities": fatalities,
            "tags": "",
            "timestamp": 1_700_000_000 + day,
        },
        columns=list(ACLED_COLUMNS),
    )
    return frame


def write_acled_csv(n: int, folder: Path, *, seed: int = DEFAULT_SEED) -> Path:
    """Write (or reuse) ``acled_<n>_<seed>.csv`` in ``folder``.

    Parameters
    ----------
    n : int
        Number of incidents.
    folder : Path
        Cache folder (created when missing); an existing file of the same size and seed is
        reused, since the generator is deterministic.
    seed : int, default :data:`DEFAULT_SEED`

    Returns
    -------
    Path
        The CSV file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"acled_{n}_{seed}.csv"
    if path.is_file() and path.stat().st_size > 0:
        return path
    partial = path.with_suffix(".partial")
    generate_acled(n, seed=seed).to_csv(partial, index=False)
    partial.replace(path)
    return path


def to_canonical(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Turn a generated ACLED table into canonical incidents without the importers' checks.

    The generator's rows are valid by construction, so the benchmark can time the dashboard's
    filtering and map building at sizes the importers take long to read.

    Parameters
    ----------
    frame : DataFrame
        As returned by :func:`generate_acled`.

    Returns
    -------
    GeoDataFrame
        Canonical incidents (see :func:`geo.incidents.coerce_incidents`).
    """
    fields = frame.rename(columns={"event_id_cnty": "event_id"})
    fields = fields[[c for c in INCIDENT_FIELDS if c in fields.columns]].assign(date_basis="source")
    points = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs="EPSG:4326")
    return coerce_incidents(fields, geometry=points)
