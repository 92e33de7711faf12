"""The printed report marks a point that holds several incidents with their count."""

from __future__ import annotations

from datetime import date

import numpy as np
from conftest import make_incidents

from geo.filters import IncidentFilter
from geo.report import ReportOptions, draw_report, project_points
from geo.report.layers import COUNT_BADGE_GID

TAJI, EMBASSY, KIRKUK = (44.2775, 33.52944), (44.39578, 33.29881), (44.28, 35.51)
ROWS = [
    *({"event_id": f"t{k}", "event_date": f"2020-03-{11 + k}", "lon": TAJI[0], "lat": TAJI[1]}
      for k in range(3)),
    *({"event_id": f"e{k}", "event_date": f"2020-01-0{1 + k}", "lon": EMBASSY[0],
       "lat": EMBASSY[1]} for k in range(2)),
    {"event_id": "k", "event_date": "2020-02-01", "lon": KIRKUK[0], "lat": KIRKUK[1]},
]  # fmt: skip


def badges(page) -> dict[tuple[float, float], str]:
    return {
        tuple(np.round(t.xy, 0)): t.get_text()
        for t in page.map_ax.texts
        if t.get_gid() == COUNT_BADGE_GID
    }


def test_each_shared_point_gets_a_badge_with_its_count() -> None:
    incidents = make_incidents(ROWS)
    page = draw_report(
        incidents,
        flt=IncidentFilter(start=date(2020, 1, 1), end=date(2020, 3, 31)),
        total=len(incidents),
        options=ReportOptions(width=1400, height=900, scale=1.0),
        data_label="t.csv",
    )
    expected = {}
    for (lon, lat), group in incidents.groupby([incidents.geometry.x, incidents.geometry.y]):
        if len(group) > 1:
            x, y = project_points(np.array([lon]), np.array([lat]))
            expected[(round(float(x[0])), round(float(y[0])))] = str(len(group))
    assert badges(page) == expected
    assert sorted(expected.values()) == ["2", "3"]


def test_no_badge_where_every_incident_has_its_own_point() -> None:
    incidents = make_incidents(ROWS[-2:])
    page = draw_report(
        incidents,
        flt=IncidentFilter(),
        total=len(incidents),
        options=ReportOptions(width=1400, height=900, scale=1.0),
        data_label="t.csv",
    )
    assert badges(page) == {}
