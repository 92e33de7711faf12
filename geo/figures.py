"""Casualty figures as the data records them: missing is "not recorded", never 0.

A file may lack a fatalities or injuries column altogether (UCDP GED has deaths but no
injuries; many generic tables have neither), or give a figure for some incidents only.
The canonical frame keeps such cells missing (``pd.NA``); this module sums them without
pretending the missing ones are zero, and words the result so that a reader sees how
many incidents a total covers: "12 killed in 40 of 53 incidents with a figure".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

NOT_RECORDED: Final = "not recorded"
# The verb of each casualty field in a sentence ("12 killed", "3 injured").
VERBS: Final = {"fatalities": "killed", "injuries": "injured"}


@dataclass(frozen=True)
class Figure:
    """The sum of one casualty field over some incidents, with its coverage.

    Parameters
    ----------
    total : int
        Sum over the incidents that record a figure.
    recorded : int
        Incidents with a figure.
    incidents : int
        All incidents summed over.
    """

    total: int
    recorded: int
    incidents: int

    @property
    def is_recorded(self) -> bool:
        """Whether any incident gives a figure."""
        return self.recorded > 0

    @property
    def is_partial(self) -> bool:
        """Whether some incidents, but not all, give a figure."""
        return 0 < self.recorded < self.incidents

    def value(self) -> str:
        """Return the total for a metric: ``"1,234"``, or ``"not recorded"`` when none gives it."""
        return f"{self.total:,}" if self.is_recorded else NOT_RECORDED

    def coverage(self) -> str:
        """How many incidents the total covers: ``"40 of 53 incidents with a figure"``.

        Empty when every incident gives a figure or none does.
        """
        if not self.is_partial:
            return ""
        return f"{self.recorded:,} of {self.incidents:,} incidents with a figure"

    def sentence(self, verb: str) -> str:
        """Return the figure in words, e.g. ``"12 killed in 40 of 53 incidents with a figure"``.

        Parameters
        ----------
        verb : str
            ``"killed"`` or ``"injured"``.

        Returns
        -------
        str
            ``"12 killed"`` when every incident gives a figure, ``"killed: not recorded"``
            when none does.
        """
        if not self.is_recorded:
            return f"{verb}: {NOT_RECORDED}"
        text = f"{self.total:,} {verb}"
        return f"{text} in {self.coverage()}" if self.is_partial else text


def sum_figure(values: pd.Series) -> Figure:
    """Sum a casualty column, counting the incidents that give a figure.

    Parameters
    ----------
    values : Series
        Counts per incident; missing values (NA, NaN, None) are not recorded.

    Returns
    -------
    Figure
    """
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    known = numbers.notna()
    total = int(round(float(numbers[known].sum()))) if bool(known.any()) else 0
    return Figure(total=total, recorded=int(known.sum()), incidents=len(values))


def summarize_casualties(incidents: pd.DataFrame) -> dict[str, Figure]:
    """Fatalities and injuries of some incidents, each with its coverage.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents (with ``fatalities`` and ``injuries``).

    Returns
    -------
    dict
        ``{"fatalities": Figure, "injuries": Figure}``.
    """
    return {field: sum_figure(incidents[field]) for field in VERBS}


def describe_casualties(incidents: pd.DataFrame) -> str:
    """Fatalities and injuries in one line: ``"12 killed; injured: not recorded"``.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents.

    Returns
    -------
    str
    """
    figures = summarize_casualties(incidents)
    return "; ".join(figures[field].sentence(verb) for field, verb in VERBS.items())


def recorded_or_zero(values: pd.Series) -> np.ndarray:
    """Return counts as int64 with unrecorded ones as 0, for sums drawn alongside a coverage.

    Parameters
    ----------
    values : Series
        Counts per incident, possibly missing.

    Returns
    -------
    numpy.ndarray of int64
    """
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64").fillna(0)
    return numbers.to_numpy(dtype=np.float64).astype(np.int64)


def recorded_columns(incidents: pd.DataFrame, columns: list[str]) -> list[str]:
    """``columns`` without the casualty fields that no incident records.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents.
    columns : list of str
        Columns to show, in order.

    Returns
    -------
    list of str
        A table leaves out a figure the data does not hold rather than show a column of
        blanks (or zeros).
    """
    return [c for c in columns if c not in VERBS or bool(incidents[c].notna().any())]
