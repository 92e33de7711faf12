"""The dashboard script under Streamlit's AppTest: filters, URL state, empty state, data file.

Expected counts are computed here with pandas straight from the data files, never with the
package's filter code, so a wrong filter shows up as a mismatch.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.webtext import WORD_JOINER

REPO = Path(__file__).resolve().parents[1]
DASHBOARD = REPO / "dashboard.py"
DATA = REPO / "data" / "incidents.geojson"
ACTORS = REPO / "data" / "actors.csv"
ACTOR_FIELDS = ["actor1", "actor2", "assoc_actor_1", "assoc_actor_2"]
TIMEOUT_S = 120


def as_shown(markdown: str) -> str:
    """What a reader sees of escaped Markdown: backslash escapes and word joiners removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch):
    """Caches outlive one AppTest; the data file must come from the test alone."""
    monkeypatch.delenv("INCIDENT_MAP_DATA", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def read_features(path: Path) -> pd.DataFrame:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    df = pd.DataFrame([f["properties"] for f in features])
    text = df.select_dtypes(exclude="number").columns
    df[text] = df[text].fillna("")
    df["first"] = pd.to_datetime(df["event_date"])
    df["last"] = pd.to_datetime(df["end_date"].replace("", None)).fillna(df["first"])
    return df


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return read_features(DATA)


def names_any(df: pd.DataFrame, actors: set[str]) -> pd.Series:
    """Rows naming one of the actors in any actor field (lists split on ';')."""

    def hit(row: pd.Series) -> bool:
        return any(n.strip() in actors for value in row for n in str(value).split(";"))

    return df[ACTOR_FIELDS].apply(hit, axis=1)


def in_window(df: pd.DataFrame, start: date, end: date) -> pd.Series:
    return (df["last"] >= pd.Timestamp(start)) & (df["first"] <= pd.Timestamp(end))


def run_app(query: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(target) -> AppTest:
    """Run the app after a change (``target`` is the AppTest or a changed widget)."""
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def param(at: AppTest, key: str) -> list[str]:
    """All values of a query parameter the app wrote (one value comes back as a str)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def metric(at: AppTest, label: str) -> int:
    (found,) = [m for m in at.metric if m.label == label]
    return int(found.value.replace(",", ""))


def shown(at: AppTest) -> int:
    return metric(at, "Incidents shown")


def map_drawn(at: AppTest) -> bool:
    return len(at.get("component_instance")) == 1


def test_opens_on_all_bundled_incidents(df):
    at = run_app()
    assert shown(at) == len(df)
    assert metric(at, "Fatalities") == int(df["fatalities"].astype(int).sum())
    assert map_drawn(at)
    assert not at.error
    assert dict(at.query_params) == {}


def test_time_range_filters_by_overlap(df):
    month = df["first"].dt.to_period("M").value_counts().idxmax()
    start, end = month.start_time.date(), month.end_time.date()
    expected = int(in_window(df, start, end).sum())
    assert 0 < expected < len(df)
    at = run_app()
    rerun(at.slider(key="window").set_value((start, end)))
    assert shown(at) == expected
    assert param(at, "start") == [start.isoformat()]
    assert param(at, "end") == [end.isoformat()]


def test_multi_day_event_counts_when_it_overlaps(df):
    multi = df[df["last"] > df["first"]]
    assert len(multi), "the bundled data has a multi-day event"
    row = multi.iloc[0]
    inside = (row["first"] + (row["last"] - row["first"]) / 2).date()
    at = run_app()
    rerun(at.slider(key="window").set_value((inside, inside)))
    assert shown(at) == int(in_window(df, inside, inside).sum()) >= 1


def test_actor_matches_every_actor_field(df):
    associated = {n.strip() for v in df["assoc_actor_2"] for n in v.split(";") if n.strip()}
    actor = sorted(associated)[0]
    expected = int(names_any(df, {actor}).sum())
    assert expected > int((df["actor1"] == actor).sum())  # the associated fields matter
    at = run_app()
    rerun(at.multiselect(key="actors").select(actor))
    assert shown(at) == expected
    assert param(at, "actor") == [actor]


def test_affiliation_selects_its_member_groups(df):
    table = pd.read_csv(ACTORS, keep_default_na=False)
    members = set(table.loc[table["affiliation"] == "Popular Mobilization Forces", "actor"])
    in_data = {n.strip() for v in df[ACTOR_FIELDS].to_numpy().ravel() for n in str(v).split(";")}
    expected_actors = sorted(members & in_data)
    assert len(expected_actors) > 1
    at = run_app()
    rerun(at.multiselect(key="affiliations").select("Popular Mobilization Forces"))
    assert sorted(at.multiselect(key="actors").value) == expected_actors
    assert shown(at) == int(names_any(df, set(expected_actors)).sum())
    assert sorted(param(at, "actor")) == expected_actors
    # Dropping the affiliation drops its members again.
    rerun(at.multiselect(key="affiliations").unselect("Popular Mobilization Forces"))
    assert at.multiselect(key="actors").value == []
    assert shown(at) == len(df)


def test_event_type(df):
    event_type = df["event_type"].value_counts().index[-1]
    at = run_app()
    rerun(at.multiselect(key="types").select(event_type))
    assert shown(at) == int((df["event_type"] == event_type).sum())
    assert param(at, "type") == [event_type]


def test_site(df):
    site = df.loc[df["site_id"] != "", "site_id"].value_counts().index[0]
    at = run_app()
    rerun(at.multiselect(key="sites").select(site))
    assert shown(at) == int((df["site_id"] == site).sum())
    assert param(at, "site") == [site]


def test_minimum_fatalities(df):
    fatalities = df["fatalities"].astype(int)
    threshold = int(fatalities[fatalities > 0].median())
    at = run_app()
    rerun(at.number_input(key="min_fatalities").set_value(threshold))
    assert shown(at) == int((fatalities >= threshold).sum())
    assert metric(at, "Fatalities") == int(fatalities[fatalities >= threshold].sum())


def test_text_search_over_notes_location_and_source(df):
    word = "Rocket"
    text = (df["notes"] + "\n" + df["location"] + "\n" + df["source"]).str.casefold()
    expected = int(text.str.contains(word.casefold(), regex=False).sum())
    assert 0 < expected < len(df)
    at = run_app()
    rerun(at.text_input(key="q").input(word))
    assert shown(at) == expected
    assert param(at, "q") == [word]


def test_filters_combine_with_and(df):
    event_type = df["event_type"].value_counts().index[0]
    fatalities = df["fatalities"].astype(int)
    at = run_app()
    at.multiselect(key="types").select(event_type)
    rerun(at.number_input(key="min_fatalities").set_value(1))
    assert shown(at) == int(((df["event_type"] == event_type) & (fatalities >= 1)).sum())


def test_url_restores_the_view(df):
    month = df["first"].dt.to_period("Q").value_counts().idxmax()
    start, end = month.start_time.date(), month.end_time.date()
    actors = sorted(set(df.loc[in_window(df, start, end), "actor1"]))[:2]
    expected = int((in_window(df, start, end) & names_any(df, set(actors))).sum())
    assert expected > 0
    at = run_app(
        {"start": start.isoformat(), "end": end.isoformat(), "actor": actors, "color": "actor"}
    )
    assert at.slider(key="window").value == (start, end)
    assert sorted(at.multiselect(key="actors").value) == actors
    assert at.selectbox(key="color").value == "actor"
    assert shown(at) == expected
    assert not at.warning


def test_url_with_unknown_values_says_what_it_ignored(df):
    at = run_app({"type": ["Battles", "Not a type"], "start": "yesterday"})
    assert at.warning, "the ignored parameters are reported"
    assert any("Not a type" in t.value for t in at.text)
    assert at.multiselect(key="types").value == ["Battles"]
    assert shown(at) == int((df["event_type"] == "Battles").sum())


def test_empty_result_says_so_instead_of_a_blank_map(df):
    at = run_app()
    most = int(df["fatalities"].astype(int).max())
    rerun(at.number_input(key="min_fatalities").set_value(most + 1))
    assert shown(at) == 0
    assert any("No incident matches" in i.value for i in at.info)
    assert map_drawn(at), "the map stays, empty, so the user's view is kept"


def test_an_empty_step_keeps_the_map_and_the_window(df):
    at = run_app({"start": "2020-04-03", "end": "2020-04-09"})
    assert shown(at) > 0 and map_drawn(at)
    rerun(at.button(key="step_forward").click())
    window = at.slider(key="window").value
    assert window == (date(2020, 4, 10), date(2020, 4, 16))
    assert shown(at) == int(in_window(df, *window).sum()) == 0
    assert map_drawn(at)
    rerun(at.button(key="step_back").click())
    assert at.slider(key="window").value == (date(2020, 4, 3), date(2020, 4, 9))
    assert map_drawn(at)


def test_a_playback_tick_moves_the_window_without_an_error(df):
    at = run_app({"start": "2020-04-03", "end": "2020-04-09"})
    at.session_state["playing"] = True
    at.session_state["_last_tick"] = 0.0  # the next run is a tick
    rerun(at)
    window = at.slider(key="window").value
    assert window == (date(2020, 4, 10), date(2020, 4, 16))
    assert at.toggle(key="playing").value is True
    assert map_drawn(at)


def test_playing_the_whole_span_starts_at_the_first_incident(df):
    kh = names_any(df, {"Kataib Hezbollah"})
    first = df.loc[kh, "first"].min().date()
    at = run_app({"actor": "Kataib Hezbollah"})
    at.radio(key="step").set_value("month")
    rerun(at.toggle(key="playing").set_value(True))
    assert at.slider(key="window").value[0] == max(first.replace(day=1), df["first"].min().date())
    assert shown(at) > 0


def test_actor_roles_from_the_link_and_the_role_choice(df):
    march = in_window(df, date(2020, 3, 1), date(2020, 3, 31))

    def side(n: int) -> pd.Series:
        return df[[f"actor{n}", f"assoc_actor_{n}"]].apply(
            lambda row: "Kataib Hezbollah" in {a.strip() for v in row for a in str(v).split(";")},
            axis=1,
        )

    query = {"start": "2020-03-01", "end": "2020-03-31", "actor1": "Kataib Hezbollah"}
    at = run_app(query)
    assert at.radio(key="actor_role").value == "actor1"
    assert at.multiselect(key="actors").value == ["Kataib Hezbollah"]
    assert shown(at) == int((march & side(1)).sum()) == 1
    rerun(at.radio(key="actor_role").set_value("actor2"))
    assert shown(at) == int((march & side(2)).sum()) == 4
    assert param(at, "actor2") == ["Kataib Hezbollah"] and not param(at, "actor1")
    rerun(at.radio(key="actor_role").set_value("any"))
    assert shown(at) == int((march & names_any(df, {"Kataib Hezbollah"})).sum()) == 5
    assert param(at, "actor") == ["Kataib Hezbollah"]


def test_step_buttons_move_the_window(df):
    start, end = df["first"].min().date(), df["first"].min().date().replace(day=28)
    at = run_app({"start": start.isoformat(), "end": end.isoformat()})
    rerun(at.button(key="step_forward").click())
    moved = at.slider(key="window").value
    # Steps tile the span: the next week starts the day after the window ends.
    assert (moved[0] - end).days == 1 and (moved[1] - moved[0]).days == 6
    assert shown(at) == int(in_window(df, *moved).sum())
    at.radio(key="step").set_value("month")
    rerun(at.button(key="step_back").click())
    back = at.slider(key="window").value
    assert (moved[0] - back[1]).days == 1 and back[0] < back[1]


def test_other_data_file_from_the_environment(tmp_path, monkeypatch, df):
    collection = json.loads(DATA.read_text(encoding="utf-8"))
    collection["features"] = collection["features"][:5]
    other = tmp_path / "five.geojson"
    other.write_text(json.dumps(collection), encoding="utf-8")
    monkeypatch.setenv("INCIDENT_MAP_DATA", str(other))
    at = run_app()
    assert shown(at) == 5
    assert any("five.geojson" in t.value for t in at.sidebar.text)


def test_unreadable_data_file_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    monkeypatch.setenv("INCIDENT_MAP_DATA", str(broken))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    assert not at.exception
    assert at.error and "broken\\.geojson" in at.error[0].value


def table(at: AppTest) -> pd.DataFrame:
    (found,) = at.main.dataframe  # the rejected records, when any, are in the sidebar
    return found.value


def test_table_lists_the_incidents_shown_most_recent_first(df):
    at = run_app()
    rows = table(at)
    assert sorted(rows["event_id"]) == sorted(df["event_id"])
    assert list(rows["event_date"]) == sorted(rows["event_date"], reverse=True)


def test_table_is_capped_and_says_so(tmp_path, monkeypatch):
    from benchmarks.benchdata import write_acled_csv

    path = write_acled_csv(1500, tmp_path)
    expected = pd.read_csv(path, dtype=str)
    monkeypatch.setenv("INCIDENT_MAP_DATA", str(path))
    at = run_app()
    assert shown(at) == len(expected)
    rows = table(at)
    assert 0 < len(rows) < len(expected)
    newest = pd.to_datetime(expected["event_date"], format="mixed").max().date()
    assert rows["event_date"].iloc[0] == newest
    assert any(f"of {len(expected):,} incidents" in c.value for c in at.caption)


def test_url_restores_the_presentation_and_writes_it_back(df):
    at = run_app({"layers": "heatmap", "title": "Taji attacks", "site_labels": "all"})
    assert at.toggle(key="heatmap").value is True
    assert at.toggle(key="clusters").value is False
    assert at.text_input(key="report_title").value == "Taji attacks"
    assert not at.warning
    rerun(at.toggle(key="clusters").set_value(True))
    assert param(at, "layers") == ["clusters,heatmap"]
    assert param(at, "title") == ["Taji attacks"] and param(at, "site_labels") == ["all"]


def test_rejected_records_are_said_in_the_main_area(tmp_path, monkeypatch):
    rows = ["date,latitude,longitude,event_type"]
    rows += [f"2020-01-{d:02d},33.3,44.4,Rocket attack" for d in range(1, 24)]
    rows += ["not a date,33.3,44.4,Drone"] * 27
    other = tmp_path / "mine.csv"
    other.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setenv("INCIDENT_MAP_DATA", str(other))
    at = run_app()
    assert shown(at) == 23
    said = [as_shown(w.value) for w in at.main.warning]
    assert any("27 of the 50 records in mine.csv were rejected" in w for w in said), said


def test_the_link_carries_the_playback_step_and_the_map_toggles(df):
    at = run_app({"step": "month", "layers": "heatmap"})
    assert at.radio(key="step").value == "month"
    assert at.toggle(key="heatmap").value is True and at.toggle(key="clusters").value is False
    assert param(at, "step") == ["month"]
    rerun(at.radio(key="step").set_value("week"))
    assert param(at, "step") == []
    rerun(at.toggle(key="clusters").set_value(True))
    assert param(at, "layers") == ["clusters,heatmap"]
