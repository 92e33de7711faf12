"""The file's own columns: the categorical ones an analyst can filter and colour by.

The import keeps them (:mod:`geo.importers.categories`); these helpers list them and
their values for the widgets, links and command line.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.importers.categories import MAX_CATEGORIES, own_categorical_columns
from geo.incidents import COLUMNS

__all__ = ["MAX_CATEGORIES", "column_values", "own_categorical_columns", "own_columns"]


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
