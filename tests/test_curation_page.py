"""The curation page (AppTest): a new incident saved from the form, errors beside fields, roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from geo.store.curation import Curator, grant_role
from geo.store.store import default_user

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "curation.py")
FORM = {
    "event_date": "2020-01-03",
    "location": "Baghdad International Airport",
    "country": "Iraq",
    "latitude": "33.2625",
    "longitude": "44.2346",
    "fatalities": "10",
    "notes": "A drone strike near the airport.",
    "source": "Reuters",
    "source_url": "https://news.example/strike",
    "source_quote": "A drone strike hit a convoy <b>near</b> the airport.",
}


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url, create=True).close()
    monkeypatch.setenv("INCIDENT_MAP_DB", url)
    return url


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, values: dict[str, str]) -> None:
    for field, value in values.items():
        widget = at.text_area(key=f"f_{field}") if field in ("notes", "source_quote") else None
        (widget or at.text_input(key=f"f_{field}")).set_value(value)
    at.selectbox(key="f_event_type").set_value("Explosions/Remote violence")
    at.run()
    at.selectbox(key="f_sub_event_type").set_value("Air/drone strike")
    at.selectbox(key="f_actor1").set_value("Kataib Hezbollah")
    at.run()


def test_the_local_user_adds_an_incident_from_the_form(db):
    at = page()
    assert "\\(admin\\)" in at.caption[0].value
    fill(at, FORM)
    at.button(key="save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Added incident" in at.success[0].value
    with open_store(db) as store:
        (row,) = Curator(store).listing().itertuples()
        got = Curator(store).get(int(row.id))
    assert got.values["actor1"] == "Kataib Hezbollah"
    assert got.values["source_quote"] == FORM["source_quote"]
    assert got.values["extra"]["source_url"] == FORM["source_url"]
    assert got.updated_by == default_user()


def test_an_empty_fatalities_field_saves_the_figure_as_not_recorded(db):
    at = page()
    fill(at, {**FORM, "fatalities": ""})
    at.button(key="save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with open_store(db) as store:
        (row,) = Curator(store).listing().itertuples()
        assert Curator(store).get(int(row.id)).values["fatalities"] is None


def test_bad_values_get_a_message_beside_their_field_and_nothing_is_written(db):
    at = page()
    fill(at, {**FORM, "fatalities": "many", "source_quote": "", "event_date": "2020-02-30"})
    at.button(key="save").click().run()
    # Shown as typed: Markdown is escaped, so the raw message carries backslashes.
    messages = [e.value.replace("\\", "") for e in at.error]
    assert any("\\-02\\-30" in e.value for e in at.error)
    assert any("fatalities" in m for m in messages)
    assert any("source_quote is required" in m for m in messages)
    assert any("2020-02-30" in m for m in messages)
    with open_store(db) as store:
        assert store.count() == 0


def test_the_place_is_found_in_the_gazetteer(db):
    at = page()
    at.text_input(key="f_location").set_value("Ain al-Asad")
    at.button(key="pick_place").click().run()
    assert at.text_input(key="f_latitude").value != ""
    assert at.text_input(key="f_site_id").value != ""


def test_a_viewer_sees_no_edit_controls(db):
    with open_store(db) as store:
        Curator(store).add(
            {
                **FORM,
                "event_type": "Explosions/Remote violence",
                "sub_event_type": "Air/drone strike",
                "actor1": "Kataib Hezbollah",
                "date_basis": "source",
            }
        )
        with store.engine.begin() as conn:
            grant_role(conn, "somebody-else", "admin", by="test")
    at = page()
    assert "\\(viewer\\)" in at.caption[0].value
    assert [b.key for b in at.button] == ["prepare_report"]  # exports only
    assert len(at.text_input) == 0 and len(at.text_area) == 0
    assert at.dataframe  # the incident is shown, read-only


def stored(db: str, **changes: str) -> int:
    values = {**FORM, "event_type": "Explosions/Remote violence",
              "sub_event_type": "Air/drone strike", "actor1": "Kataib Hezbollah",
              "date_basis": "source", **changes}  # fmt: skip
    with open_store(db) as store:
        return Curator(store).add(values)


def test_merge_history_restore_and_the_status_in_the_url(db):
    keep, other = stored(db), stored(db, source="AP")
    with open_store(db) as store:
        Curator(store).set_status(other, "rejected")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["status"] = "rejected"
    at.run()
    assert at.multiselect(key="status_filter").value == ["rejected"]
    assert at.selectbox(key="selected").options[-1].startswith(str(other))
    at.multiselect(key="status_filter").set_value(["draft", "rejected"]).run()
    at.selectbox(key="selected").set_value(keep).run()
    at.selectbox(key="merge_other").set_value(other).run()
    at.button(key="merge").click().run()
    assert "Merged." in at.success[0].value
    with open_store(db) as store:
        assert Curator(store).get(keep).values["source"] == "Reuters; AP"
        assert Curator(store).get(other).values["merged_into"] == keep
    (history,) = [d.value for d in at.dataframe if "action" in d.value.columns]
    assert list(history["action"]) == ["insert", "merge"]
    at.selectbox(key="restore_version").set_value(1).run()
    at.button(key="restore").click().run()
    assert "Restored version 1." in at.success[0].value
    with open_store(db) as store:
        assert Curator(store).get(keep).values["source"] == "Reuters"
