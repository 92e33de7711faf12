"""A loaded incident file prepared once for filtering: the work no filter change repeats."""

from __future__ import annotations

from dataclasses import dataclass

from geo.filters import IncidentIndex
from geo.importers import ImportResult
from geo.incidents import sort_incidents_in_place
from geo.load import release_unused_memory
from geo.mapview import incident_bounds
from geo.palette import rank_actors
from geo.view import Extent, from_leaflet


@dataclass(frozen=True)
class Dataset:
    """One loaded incident file, prepared for filtering."""

    key: str
    label: str
    sha256: str
    result: ImportResult
    index: IncidentIndex
    ranking: tuple[str, ...]
    bounds: list[list[float]]  # the whole file's extent: the map's view before any filter

    @property
    def extent(self) -> Extent:
        """The whole file's extent as ``(west, south, east, north)``."""
        return from_leaflet(self.bounds)


def prepare_dataset(result: ImportResult, key: str, label: str, sha256: str) -> Dataset:
    """Index a file's incidents once: date order, index, actor ranking and extent.

    Parameters
    ----------
    result : ImportResult
        What an importer returned; its frame becomes the dataset's own and is
        reordered in place.
    key, label, sha256 : str
        Identity of the source (cache key), its display name and content hash.

    Returns
    -------
    Dataset
    """
    # Date order makes a time window one contiguous block. The frame is this dataset's own,
    # so it is reordered in place rather than copied (a million incidents would stand twice).
    release_unused_memory()
    incidents = result.incidents
    sort_incidents_in_place(incidents)
    release_unused_memory()
    ranking = tuple(rank_actors(incidents["actor1"]))
    bounds = incident_bounds(incidents)
    return Dataset(key, label, sha256, result, IncidentIndex(incidents), ranking, bounds)
