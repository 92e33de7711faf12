"""The product's size limits: one module, typed errors that name the limit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import geo.importers
import geo.importers.detect
import geo.importers.table
from geo import limits
from geo.build import build_incidents
from geo.limits import (
    MAX_CASUALTIES_PER_INCIDENT,
    MAX_REPORT_PIXELS,
    ImportLimits,
    ReadBudget,
    check_report_size,
)
from geo.schema import (
    ImportLimitError,
    IncidentDataError,
    LimitExceededError,
    ReportSizeError,
)


def test_old_names_still_import_from_their_modules() -> None:
    assert geo.importers.MAX_UPLOAD_BYTES == limits.MAX_UPLOAD_BYTES == 200 * 2**20
    assert geo.importers.detect.MAX_UPLOAD_BYTES == limits.MAX_UPLOAD_BYTES
    assert geo.importers.table.MAX_CELL_CHARS == limits.MAX_CELL_CHARS == 100_000


def test_errors_are_typed_and_catchable_as_before() -> None:
    assert issubclass(ImportLimitError, LimitExceededError)
    assert issubclass(ReportSizeError, LimitExceededError)
    assert issubclass(LimitExceededError, IncidentDataError)
    assert issubclass(ReportSizeError, ValueError)  # ReportOptions raised ValueError so far


def test_budget_counts_batches_and_stops_past_a_limit() -> None:
    budget = ReadBudget(ImportLimits(max_rows=10, max_decoded_bytes=100))
    budget.add(6, 40)
    budget.add(4, 60)  # exactly at both limits: still allowed
    assert (budget.rows, budget.decoded_bytes) == (10, 100)
    with pytest.raises(ImportLimitError, match="more than 10 records"):
        budget.add(1, 0)
    unlimited = ReadBudget(ImportLimits(None, None))
    unlimited.add(10**9, 10**15)
    assert unlimited.unlimited


def test_default_report_fits_and_the_issue_page_does_not() -> None:
    check_report_size(2400, 1697)
    check_report_size(20_000, MAX_REPORT_PIXELS // 20_000)
    with pytest.raises(ReportSizeError, match=r"20,000 x 20,000 pixels \(400 million\)") as caught:
        check_report_size(20_000, 20_000)
    message = str(caught.value)
    assert "67 million pixel limit" in message
    assert f"at most {MAX_REPORT_PIXELS // 20_000:,} px high" in message


def test_build_refuses_an_implausible_casualty_count(tiny_dataset: dict[str, Path]) -> None:
    table = pd.read_csv(tiny_dataset["attributes"], dtype=str, keep_default_na=False)
    table.loc[0, "fatalities"] = "9223372036854775807"
    table.loc[1, "injuries"] = str(MAX_CASUALTIES_PER_INCIDENT)
    table.to_csv(tiny_dataset["attributes"], index=False)
    args = (tiny_dataset["attributes"], tiny_dataset["sites"], tiny_dataset["actors"])
    with pytest.raises(IncidentDataError, match=r"fatalities over 1,000,000 for one incident"):
        build_incidents(*args)
    table.loc[0, "fatalities"] = "0001000000"  # leading zeros: still the bound, accepted
    table.to_csv(tiny_dataset["attributes"], index=False)
    assert len(build_incidents(*args)) == 2
