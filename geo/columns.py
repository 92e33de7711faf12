"""The file's own columns: the categorical ones an analyst can filter and colour by.

The import keeps them (:mod:`geo.importers.categories`); these helpers list them and
their values for the widgets, links and command line.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.importers.categories import MAX_CATEGORIES, own_categorical_columns
from geo.incidents import COLUMNS

__all__ = [
    "MAX_CATEGORIES",
    "column_span",
    "categorical_columns",
    "column_values",
    "numeric_columns",
    "own_categorical_columns",
    "own_columns",
]


def own_columns(gdf: pd.DataFrame) -> list[str]:
    """Return the columns of the file's own beside the contract fields, in file order.

    Parameters
    ----------
    gdf : DataFrame
        Incidents as imported.

    Returns
    -------
    list of str
    """
    geometry = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    return [str(c) for c in gdf.columns if c not in COLUMNS and c != geometry]


def numeric_columns(gdf: pd.DataFrame) -> list[str]:
    """Return the file's own numeric columns (filtered by range, not by value), in file order."""
    return [c for c in own_columns(gdf) if _is_number(gdf[c])]


def categorical_columns(gdf: pd.DataFrame) -> list[str]:
    """Return the file's own columns filtered and coloured by value, in file order."""
    return [c for c in own_columns(gdf) if not _is_number(gdf[c])]


def column_span(gdf: pd.DataFrame, column: str) -> tuple[float, float] | None:
    """Return the smallest and largest value of a numeric column, or None when it has none."""
    values = gdf[column].dropna()
    if not len(values):
        return None
    return float(values.min()), float(values.max())


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def column_values(gdf: pd.DataFrame, column: str) -> list[str]:
    """Return the distinct non-empty values of a column, sorted, as text.

    Parameters
    ----------
    gdf : DataFrame
    column : str

    Returns
    -------
    list of str
    """
    text = gdf[column].astype("string").dropna()
    return sorted(v for v in text.unique() if v != "")
