"""A store offers the categorical keys of ``extra`` and filters on them as a file does."""

from __future__ import annotations

import numpy as np

from geo.filters import IncidentFilter
from geo.store.columns import store_own_columns
from tests.store.test_query import SEED, random_incidents


def test_the_store_offers_its_extra_categories_and_filters_on_them(store):
    rng = np.random.default_rng(SEED + 21)
    gdf = random_incidents(120, rng)
    attacks = rng.choice(["IED", "SAF", "IDF"], len(gdf))
    extras = [{"attack_type": a, "report": f"R{i:05d}"} for i, a in enumerate(attacks)]
    store.store_incidents(gdf, origin="test", extras=extras)
    offered = store_own_columns(store)
    assert offered == {"attack_type": ["IDF", "IED", "SAF"]}  # report: an identifier
    flt = IncidentFilter(where=(("attack_type", ("IED", "SAF")),))
    assert store.count(flt) == int(np.isin(attacks, ["IED", "SAF"]).sum())


def test_the_dashboard_on_a_store_filters_by_own_column_and_province_as_on_the_file(
    store_url, monkeypatch, tmp_path
):
    import pandas as pd
    import streamlit as st

    from geo.store import open_store
    from tests.store.test_dashboard_store import numbers, run_app

    rng = np.random.default_rng(SEED + 22)
    n = 200
    frame = pd.DataFrame(
        {
            "date": [f"2008-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)],
            "longitude": rng.uniform(42.5, 46.0, n).round(4),
            "latitude": rng.uniform(31.5, 36.0, n).round(4),
            "attack_type": rng.choice(["IED", "SAF", "IDF"], n),
        }
    )
    path = tmp_path / "attacks.csv"
    frame.to_csv(path, index=False)
    with open_store(store_url, create=True, user="tester") as store:
        store.import_file(path)
    for var in ("INCIDENT_MAP_DATA", "INCIDENT_MAP_DB"):
        monkeypatch.delenv(var, raising=False)
    apps = []
    for var, value in (("INCIDENT_MAP_DATA", str(path)), ("INCIDENT_MAP_DB", store_url)):
        monkeypatch.setenv(var, value)
        st.cache_resource.clear()
        apps.append((var, value, run_app()))
        monkeypatch.delenv(var)
    (_, _, on_file), (_, _, on_store) = apps
    assert on_store.multiselect(key="where_columns").options == ["attack_type"]
    assert "attack_type" in on_store.selectbox(key="color").options
    provinces = on_file.multiselect(key="admin1").options
    assert on_store.multiselect(key="admin1").options == provinces and len(provinces) > 3
    for change in (
        lambda at: at.multiselect(key="where_columns").select("attack_type"),
        lambda at: at.multiselect(key="where.attack_type").select("IED"),
        lambda at: at.multiselect(key="admin1").select(provinces[0]).select(provinces[1]),
        lambda at: at.selectbox(key="choropleth").select("incidents"),
        lambda at: at.selectbox(key="color").select("attack_type"),
    ):
        for var, value, at in apps:
            monkeypatch.setenv(var, value)
            change(at).run()
            monkeypatch.delenv(var)
            assert not at.exception, [e.value for e in at.exception]
        # A store keeps an unrecorded fatality figure as 0 (README): compare the counts.
        assert numbers(on_store)["Incidents shown"] == numbers(on_file)["Incidents shown"]
    ied = frame["attack_type"].eq("IED")
    assert int(numbers(on_file)["Incidents shown"].replace(",", "")) < int(ied.sum())
