"""Script payloads in every text field are shown as text: no dialog, no injected element."""

from __future__ import annotations

import pytest

from geo.importers import import_file

from .conftest import REPO, run_dashboard

pytestmark = pytest.mark.browser

HOSTILE = REPO / "tests" / "data" / "hostile.csv"

# Elements or attributes that only an injected payload would create.
FIND_INJECTED_JS = """() => {
    var found = [];
    document.querySelectorAll("*").forEach(function (el) {
        Array.prototype.forEach.call(el.attributes, function (a) {
            if (/^on/i.test(a.name)) { found.push(el.tagName + "[" + a.name + "]"); }
        });
        var tag = el.tagName.toLowerCase();
        if (tag === "script" && !el.src && /^\\s*alert\\(/.test(el.textContent)) {
            found.push("script");
        }
        if (tag === "img" && el.getAttribute("src") === "x") { found.push("img"); }
        if (tag === "b" && el.textContent === "long") { found.push("b"); }
    });
    return found;
}"""

# Opens the popup and the tooltip of every incident marker, as clicking and hovering do.
OPEN_EVERY_POPUP_JS = """() => {
    var markers = [];
    window.map.eachLayer(function (layer) {
        if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {
            layer.getLayers().forEach(function (m) { if (m.options.row) { markers.push(m); } });
        } else if (layer.options && layer.options.row) { markers.push(layer); }
    });
    var texts = [];
    markers.forEach(function (m) {
        [m.getPopup(), m.getTooltip()].forEach(function (bound) {
            if (!bound) { return; }
            var content = bound._content;
            var html = typeof content === "function" ? content(m) : content;
            var shown = L.popup().setLatLng(m.getLatLng()).setContent(html).openOn(window.map);
            texts.push(shown.getElement().textContent);
        });
    });
    return texts;
}"""


@pytest.fixture(scope="module")
def hostile_server():
    with run_dashboard("hostile", HOSTILE) as srv:
        yield srv


def test_script_payloads_open_no_dialog_and_add_no_element(page, watch, hostile_server):
    from .conftest import App

    expected = len(import_file(HOSTILE).incidents)
    app = App(page, hostile_server).open()
    assert app.metric("Incidents shown") == expected
    assert app.wait_for_markers(expected) == expected
    frame = app.map_frame()
    frame.locator(".geo-legend").wait_for(state="visible")

    texts = frame.evaluate(OPEN_EVERY_POPUP_JS)
    assert len(texts) == 2 * expected
    # The payloads are there, as text.
    joined = "\n".join(texts)
    assert '<script>alert("notes")</script>' in joined
    assert '<img src=x onerror=alert("location")>' in joined

    # Lists and expanders that show data text: the actor choices, the rejected records.
    page.locator(".st-key-actors").click()
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("Escape")
    page.locator("[data-testid='stSidebar'] [data-testid='stExpander'] summary").first.click()
    app.wait_idle()

    assert page.evaluate(FIND_INJECTED_JS) == []
    assert frame.evaluate(FIND_INJECTED_JS) == []
    assert watch.dialogs == []
