"""One frozen filter and the vectorised masks that apply it.

:class:`IncidentIndex` prepares a dataset once (integer days, category codes,
an actor membership table, lower-cased search text) so that every filter
change costs a few array operations, whatever the number of incidents.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.areas import BBox, Ring, area_mask, bbox_mask, check_bbox, check_ring
from geo.incidents import point_coordinates
from geo.schema import ACTOR_FIELDS, MULTI_VALUE_SEPARATOR, IncidentDataError

EPOCH = np.datetime64("1970-01-01", "D")
SEARCH_FIELDS = ("notes", "location", "source")
# The actor fields of each role: who acted (1) and who was acted upon (2).
ROLE_FIELDS = {1: ("actor1", "assoc_actor_1"), 2: ("actor2", "assoc_actor_2")}
# A store's curation states (``status=`` in a link); a file has none. The map shows all
# but the rejected by default: a reviewer judged those not to be incidents.
REVIEW_STATES = ("draft", "reviewed", "rejected")
DEFAULT_REVIEW_STATES = ("draft", "reviewed")


@dataclass(frozen=True)
class IncidentFilter:
    """What the analyst asked to see; an empty field means "no restriction".

    Attributes
    ----------
    start, end : date or None
        Inclusive window; an incident is in it when ``[event_date, end_date]``
        overlaps ``[start, end]``.
    actors : tuple of str
        Canonical names matched against actor1, actor2 and both associated-actor
        lists (any role). Several values are OR.
    actors1, actors2 : tuple of str
        Names matched on one side only: ``actors1`` against actor1 and assoc_actor_1
        (who acted), ``actors2`` against actor2 and assoc_actor_2 (who was acted upon).
        Several values are OR; each role is ANDed with the other fields.
    event_types, sites : tuple of str
        ACLED event types; site ids (or, for data without sites, location names).
    min_fatalities : int
        Keep incidents with at least this many fatalities.
    text : str
        Case-insensitive substring searched in notes, location and source.
    where : tuple of (str, tuple of str)
        Any other column of the data and the values to keep: several values of one
        column are OR, several columns AND (``f.COLUMN=VALUE`` in a link).
    statuses : tuple of str
        Review states to keep (:data:`REVIEW_STATES`); only a store has them, so only a
        store's queries read this field.
    ranges : tuple of (str, float or None, float or None)
        Numeric columns and the inclusive range to keep (``f.COLUMN=MIN..MAX``); None
        leaves that end open. An incident without a value is outside every range.
    bbox : (west, south, east, north) or None
        Keep incidents whose point lies in the box, edges included.
    area : tuple of (lon, lat)
        A polygon's ring: keep incidents whose point lies in it or on its edge.
    admin1 : tuple of str
        Provinces (``admin1``) to keep; several values are OR.
    """

    start: date | None = None
    end: date | None = None
    actors: tuple[str, ...] = field(default=())
    actors1: tuple[str, ...] = field(default=())
    actors2: tuple[str, ...] = field(default=())
    event_types: tuple[str, ...] = field(default=())
    sites: tuple[str, ...] = field(default=())
    min_fatalities: int = 0
    text: str = ""
    where: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    statuses: tuple[str, ...] = field(default=())
    ranges: tuple[tuple[str, float | None, float | None], ...] = field(default=())
    bbox: BBox | None = None
    area: Ring = field(default=())
    admin1: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.bbox is not None:
            object.__setattr__(self, "bbox", check_bbox(self.bbox))
        if self.area:
            object.__setattr__(self, "area", check_ring(self.area))
        for column, low, high in self.ranges:
            if low is not None and high is not None and low > high:
                raise IncidentDataError(f"the range of {column!r} starts after it ends")

    def with_changes(self, **changes: object) -> IncidentFilter:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]


def to_day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int32 (NaT becomes the minimum int32)."""
    days = values.to_numpy(dtype="datetime64[D]")
    out = (days - EPOCH).astype("int64")
    out[np.isnat(days)] = np.iinfo(np.int32).min
    return out.astype(np.int32)


def day_number(day: date) -> int:
    """One date as days since 1970-01-01."""
    return int((np.datetime64(day, "D") - EPOCH).astype(int))


class IncidentIndex:
    """A dataset prepared for fast, repeated filtering.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents (see :func:`geo.incidents.coerce_incidents`). The
        index keeps a reference and never modifies it.
    """

    def __init__(self, gdf: gpd.GeoDataFrame) -> None:
        self.gdf = gdf
        self.start_day = to_day_numbers(gdf["event_date"])
        end = to_day_numbers(gdf["end_date"])
        self.end_day = np.where(end == np.iinfo(np.int32).min, self.start_day, end).astype(np.int32)
        self.event_type = pd.Categorical(gdf["event_type"])
        site_key = gdf["site_id"].where(gdf["site_id"] != "", gdf["location"])
        self.site = pd.Categorical(site_key)
        # Unrecorded as NaN: an incident without a figure is not known to reach any minimum.
        self.fatalities = (
            gdf["fatalities"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
        )
        self._build_actor_table(gdf)
        self._points: tuple[np.ndarray, np.ndarray] | None = None
        self._province_rows: np.ndarray | None = None

    @property
    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Longitudes and latitudes, read once on the first area filter."""
        if self._points is None:
            self._points = point_coordinates(self.gdf)
        return self._points

    def _build_actor_table(self, gdf: gpd.GeoDataFrame) -> None:
        """Long table (row, actor code) of every actor an incident names."""
        rows: list[np.ndarray] = []
        names: list[pa.Array] = []
        roles: list[np.ndarray] = []
        for col in ACTOR_FIELDS:
            values = _arrow_text(gdf[col])
            positions = pa.array(np.arange(len(values), dtype=np.int64))
            if col.startswith("assoc"):  # several actors, ";"-separated (see split_multi)
                lists = pc.split_pattern(values, MULTI_VALUE_SEPARATOR)
                positions = pc.list_parent_indices(lists)
                values = pc.utf8_trim_whitespace(pc.list_flatten(lists))
            present = pc.fill_null(pc.not_equal(values, ""), False)
            kept = pc.filter(positions, present).to_numpy().astype(np.int64, copy=False)
            rows.append(kept)
            names.append(pc.filter(values, present))
            role = 1 if col in ROLE_FIELDS[1] else 2
            roles.append(np.full(len(kept), role, dtype=np.int8))
        all_names = pd.Series(
            pa.concat_arrays(names).to_numpy(zero_copy_only=False) if names else [], dtype=object
        )
        codes = pd.Categorical(all_names)
        self.actor_names: tuple[str, ...] = tuple(codes.categories)
        self._actor_rows = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
        self._actor_codes = np.asarray(codes.codes, dtype=np.int32)
        self._actor_roles = np.concatenate(roles) if roles else np.empty(0, dtype=np.int8)

    @property
    def province_rows(self) -> np.ndarray:
        """The admin-1 polygon each incident lies in (see :func:`geo.provinces.locate_provinces`).

        Located once, on the first choropleth; every later one is a mask and a bincount.
        """
        if self._province_rows is None:
            from geo.provinces import locate_provinces

            self._province_rows = locate_provinces(*self.points)
        return self._province_rows

    def __len__(self) -> int:
        return len(self.gdf)

    @property
    def event_types(self) -> tuple[str, ...]:
        """Event types present in the data, sorted."""
        return tuple(sorted(self.event_type.categories))

    @property
    def site_keys(self) -> tuple[str, ...]:
        """Site ids (or location names) present in the data, sorted."""
        return tuple(sorted(k for k in self.site.categories if k))

    @property
    def date_span(self) -> tuple[date, date] | None:
        """First start and last end day of the data, or None when empty."""
        if len(self) == 0:
            return None
        first = EPOCH + np.timedelta64(int(self.start_day.min()), "D")
        last = EPOCH + np.timedelta64(int(self.end_day.max()), "D")
        return first.astype(object), last.astype(object)

    def mask(self, flt: IncidentFilter) -> np.ndarray:
        """Boolean array: which incidents pass the filter.

        Parameters
        ----------
        flt : IncidentFilter

        Returns
        -------
        numpy.ndarray of bool, one per incident
        """
        keep = np.ones(len(self), dtype=bool)
        if flt.start is not None:
            keep &= self.end_day >= day_number(flt.start)
        if flt.end is not None:
            keep &= self.start_day <= day_number(flt.end)
        if flt.event_types:
            keep &= _category_mask(self.event_type, flt.event_types)
        if flt.sites:
            keep &= _category_mask(self.site, flt.sites)
        if flt.min_fatalities > 0:
            keep &= self.fatalities >= flt.min_fatalities
        if flt.actors:
            keep &= self._actor_mask(flt.actors)
        if flt.actors1:
            keep &= self._actor_mask(flt.actors1, role=1)
        if flt.actors2:
            keep &= self._actor_mask(flt.actors2, role=2)
        if flt.text.strip():
            keep &= self._text_mask(flt.text.strip())
        for column, values in flt.where:
            keep &= column_mask(self.gdf, column, values)
        for column, low, high in flt.ranges:
            keep &= range_mask(self.gdf, column, low, high)
        if flt.admin1:
            keep &= column_mask(self.gdf, "admin1", flt.admin1)
        if flt.bbox is not None:
            keep &= bbox_mask(*self.points, flt.bbox)
        if flt.area:
            keep &= area_mask(*self.points, flt.area)
        return keep

    def _text_mask(self, needle: str) -> np.ndarray:
        """Incidents whose notes, location or source contain ``needle``, ignoring case.

        Each column is searched where it lies (Arrow's substring kernel) instead of a
        prepared lower-case copy of all three, which would cost as much memory again.
        """
        out = np.zeros(len(self), dtype=bool)
        for col in SEARCH_FIELDS:
            found = self.gdf[col].str.contains(needle, case=False, regex=False)
            out |= found.to_numpy(dtype=bool, na_value=False)
        return out

    def _actor_mask(self, actors: tuple[str, ...], role: int | None = None) -> np.ndarray:
        """Incidents naming any of the actors in any actor field, or in one role's fields."""
        wanted = [i for i, name in enumerate(self.actor_names) if name in set(actors)]
        out = np.zeros(len(self), dtype=bool)
        if wanted:
            hits = np.isin(self._actor_codes, np.asarray(wanted, dtype=np.int32))
            if role is not None:
                hits &= self._actor_roles == role
            out[self._actor_rows[hits]] = True
        return out

    def select(self, flt: IncidentFilter) -> gpd.GeoDataFrame:
        """Return the incidents that pass the filter, as a new frame with the same columns.

        With incidents in date order (see :func:`geo.incidents.sort_incidents`), a time
        window alone selects one contiguous block, taken as a slice instead of row by row.
        """
        positions = np.flatnonzero(self.mask(flt))
        if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
            return self.gdf.iloc[positions[0] : positions[-1] + 1]
        return self.gdf.take(positions)


def _arrow_text(values: pd.Series) -> pa.Array:
    """Return a text column as one Arrow string array, missing values as nulls.

    Arrow-backed columns are passed on without a copy.
    """
    array = values.array
    if hasattr(array, "__arrow_array__"):
        arrow = array.__arrow_array__()
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
    else:
        arrow = pa.array(np.asarray(values, dtype=object), from_pandas=True)
    if not pa.types.is_string(arrow.type) and not pa.types.is_large_string(arrow.type):
        arrow = arrow.cast(pa.string())
    return arrow


def column_mask(gdf: pd.DataFrame, column: str, values: tuple[str, ...]) -> np.ndarray:
    """Rows whose ``column`` holds one of ``values`` (compared as text).

    Parameters
    ----------
    gdf : DataFrame
        Incidents with the column.
    column : str
        A column of the data, contract field or the file's own.
    values : tuple of str
        Values to keep; none keeps every row.

    Returns
    -------
    numpy.ndarray of bool

    Raises
    ------
    IncidentDataError
        When the data has no such column.
    """
    if column not in gdf.columns or column == "geometry":
        raise IncidentDataError(f"no column {column!r} in this data")
    if not values:
        return np.ones(len(gdf), dtype=bool)
    text = gdf[column].astype("string").fillna("")
    return text.isin(list(values)).to_numpy(dtype=bool)


def numeric_values(gdf: pd.DataFrame, column: str) -> np.ndarray:
    """Read a numeric column as float64, NaN where it holds no value.

    Raises
    ------
    IncidentDataError
        When the data has no such column or it is not numeric.
    """
    if column not in gdf.columns or column == "geometry":
        raise IncidentDataError(f"no column {column!r} in this data")
    values = gdf[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise IncidentDataError(f"column {column!r} is not numeric: filter it by value")
    return values.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def range_mask(
    gdf: pd.DataFrame, column: str, low: float | None, high: float | None
) -> np.ndarray:
    """Rows whose numeric ``column`` lies in ``[low, high]`` (an open end is None).

    Parameters
    ----------
    gdf : DataFrame
    column : str
        A numeric column of the data, contract field or the file's own.
    low, high : float or None

    Returns
    -------
    numpy.ndarray of bool
        False where the column holds no value.

    Raises
    ------
    IncidentDataError
        When the data has no such column or it is not numeric.
    """
    values = numeric_values(gdf, column)
    keep = ~np.isnan(values)
    if low is not None:
        keep &= values >= low
    if high is not None:
        keep &= values <= high
    return keep


def _category_mask(values: pd.Categorical, wanted: tuple[str, ...]) -> np.ndarray:
    """Membership test on category codes instead of strings."""
    codes = [values.categories.get_loc(w) for w in wanted if w in values.categories]
    if not codes:
        return np.zeros(len(values), dtype=bool)
    return np.isin(values.codes, np.asarray(codes, dtype=values.codes.dtype))


def filter_incidents(gdf: gpd.GeoDataFrame, flt: IncidentFilter) -> gpd.GeoDataFrame:
    """Return the incidents of ``gdf`` that pass ``flt`` (same columns, maybe empty).

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents.
    flt : IncidentFilter

    Returns
    -------
    GeoDataFrame
    """
    return IncidentIndex(gdf).select(flt)
