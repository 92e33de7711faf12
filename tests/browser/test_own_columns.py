"""The analyst's own column colours the map and its legend in a real browser."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

ATTACKS = ["IED", "SAF", "IDF"]


def test_own_column_colours_markers_and_legend(app, tmp_path):
    n = 30
    rows = pd.DataFrame(
        {
            "date": [f"2008-03-{1 + i % 28:02d}" for i in range(n)],
            "longitude": [44.0 + i * 0.05 for i in range(n)],
            "latitude": [33.0 + i * 0.03 for i in range(n)],
            "attack_type": [ATTACKS[i % 3] for i in range(n)],
        }
    )
    upload = tmp_path / "attacks.csv"
    rows.to_csv(upload, index=False)
    page = app.open().page
    app.upload(upload, n)
    assert app.metric("Incidents shown") == n
    for label in ("Fatalities", "Injuries"):
        box = page.locator("[data-testid='stMetric']", has_text=label).first
        assert box.locator("[data-testid='stMetricValue']").inner_text() == "not recorded"

    # The file's own columns are offered once the page has rerun on the upload.
    page.locator(".st-key-where_columns").wait_for(timeout=30_000)
    app.pick_option("color", "attack_type")
    app.wait_idle()
    assert app.wait_for_markers(n) == n
    frame = app.map_frame()
    legend = frame.locator(".geo-legend")
    legend.wait_for(state="visible", timeout=30_000)
    text = legend.inner_text()
    assert "attack_type" in text
    for attack in ATTACKS:
        assert attack in text
    fills = frame.evaluate(
        """() => { var seen = new Set();
            function add(l) { if (l.options && l.options.row) { seen.add(l.options.fillColor); } }
            window.map.eachLayer(function (l) {
                if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) {
                    l.getLayers().forEach(add);
                } else { add(l); } });
            return Array.from(seen); }"""
    )
    assert len(fills) == len(ATTACKS)
