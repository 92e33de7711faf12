"""The camera: saves the current view as a PNG with the report's title, legend and scale."""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.mapview.options import SCREENSHOTER_URL


class _Camera(JSCSSMixin, MacroElement):
    """A camera button saving the current view as a PNG that explains itself.

    The view is captured by leaflet-simple-map-screenshoter with every control hidden,
    clustered markers drawn one by one and site labels decluttered for the picture. Under
    the view a band carries what the report page carries (title, the caption with its
    count, legend, a scale bar true at the centre, a north arrow, the incidents' sources and
    the attributions), drawn from what the incident layers put on the map
    (``map.geoMapInfo``); nothing is drawn over the map itself, so no label is covered.
    ``map.geoSnapshot()`` returns the finished canvas (a Promise), for tests and other
    callers; its ``geoLayout`` gives the boxes of the title, scale bar and north arrow.

    The picture is composed in the browser, not by the report renderer on the server: the
    camera saves exactly what the user sees (their pan and zoom, the basemap chosen) at
    once, without a round trip that the map component does not make.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var camera = L.simpleMapScreenshoter({
                position: "topleft", preventDownload: true, mimeType: "image/png",
                cropImageByInnerWH: false,
                domtoimageOptions: {filter: function (node) {
                    /* off-screen elements are not even copied: copying styles is slow */
                    return !(node.classList && node.classList.contains("geo-offscreen"));
                }},
                hideElementsWithSelectors: [".leaflet-top", ".leaflet-bottom",
                                            ".geo-legend", ".leaflet-popup-pane",
                                            ".geo-map-note"]
            }).addTo(map);
            var link = camera.getContainer().querySelector("a");
            if (link) {
                /* An anchor without href is out of the tab order: make it a button. */
                link.title = "Save this view as a PNG";
                link.setAttribute("role", "button");
                link.setAttribute("tabindex", "0");
                link.setAttribute("aria-label", "Save this view as a PNG");
                L.DomEvent.on(link, "keydown", function (e) {
                    if (e.key === "Enter" || e.key === " ") {
                        L.DomEvent.preventDefault(e); link.click();
                    }
                });
            }
            var FONT = "Arial, Helvetica, sans-serif", PAD = 12;

            function attribution() {
                var parts = [];
                Object.keys(map.attributionControl ? map.attributionControl._attributions
                                                   : {}).forEach(function (a) {
                    var div = document.createElement("div");
                    div.innerHTML = a;  /* attributions are the app's own constants */
                    var text = div.textContent.trim();
                    if (text && parts.indexOf(text) < 0) { parts.push(text); }
                });
                parts.push("Leaflet");
                return parts.join(" | ");
            }
            function wrap(ctx, text, width) {
                var lines = [], line = "";
                String(text).split(/\\s+/).forEach(function (word) {
                    var next = line ? line + " " + word : word;
                    if (line && ctx.measureText(next).width > width) {
                        lines.push(line); line = word;
                    } else { line = next; }
                });
                if (line) { lines.push(line); }
                return lines;
            }
            function niceLength(metres) {
                /* the longest 1, 2 or 5 x 10^n metres not over the given length */
                var unit = Math.pow(10, Math.floor(Math.log10(metres)));
                return [5, 2, 1].map(function (k) { return k * unit; })
                    .filter(function (v) { return v <= metres; })[0] || unit;
            }
            function scaleBar(ctx, x, y, draw) {
                /* true at the centre latitude, like the report's */
                var size = map.getSize(), mid = size.y / 2;
                var a = map.containerPointToLatLng([size.x / 2 - 50, mid]);
                var b = map.containerPointToLatLng([size.x / 2 + 50, mid]);
                var perPx = map.distance(a, b) / 100, ground = niceLength(perPx * 160);
                var w = ground / perPx, h = 6, lat = map.getCenter().lat;
                var label = ground >= 1000 ? ground / 1000 + " km" : ground + " m";
                if (draw) {
                    ctx.lineWidth = 1; ctx.strokeStyle = "#222";
                    ctx.fillStyle = "#222"; ctx.fillRect(x, y + 14, w / 2, h);
                    ctx.fillStyle = "#fff"; ctx.fillRect(x + w / 2, y + 14, w / 2, h);
                    ctx.strokeRect(x + 0.5, y + 14.5, w, h);
                    ctx.fillStyle = "#222"; ctx.font = "11px " + FONT;
                    ctx.fillText("0", x - 3, y + 11);
                    ctx.fillText(label, x + w - ctx.measureText(label).width / 2, y + 11);
                    ctx.fillStyle = "#555"; ctx.font = "10px " + FONT;
                    ctx.fillText("Scale true at " + Math.abs(lat).toFixed(1) + "\u00b0"
                                 + (lat >= 0 ? "N" : "S"), x + w + 12 + ctx.measureText(
                                     label).width / 2, y + 20);
                }
                return [x, y, w, 22];
            }
            function northArrow(ctx, x, y, draw) {
                /* north is straight up in Web Mercator: meridians are vertical */
                if (draw) {
                    ctx.fillStyle = "#222";
                    ctx.beginPath(); ctx.moveTo(x + 9, y); ctx.lineTo(x + 17, y + 16);
                    ctx.lineTo(x + 9, y + 12); ctx.lineTo(x + 1, y + 16); ctx.closePath();
                    ctx.fill();
                    ctx.font = "bold 13px " + FONT; ctx.fillText("N", x + 4.5, y + 31);
                }
                return [x, y, 18, 32];
            }
            function band(ctx, width, draw) {
                var info = map.geoMapInfo || {title: "", caption: "", count: "", legend: [],
                                              legend_title: "", sources: ""};
                var y = PAD, layout = {};
                layout.north = northArrow(ctx, width - PAD - 18, PAD, draw);
                function text(value, size, color, bold, room) {
                    ctx.font = (bold ? "bold " : "") + size + "px " + FONT;
                    var top = y;
                    wrap(ctx, value, room || width - 2 * PAD).forEach(function (l) {
                        if (draw) { ctx.fillStyle = color; ctx.fillText(l, PAD, y + size); }
                        y += size + 4;
                    });
                    return [PAD, top, room || width - 2 * PAD, y - top];
                }
                var room = width - 3 * PAD - 18;
                if (info.title) { layout.title = text(info.title, 17, "#111", true, room); }
                if (info.caption) { text(info.caption, 13, "#222", false, room); }
                if (info.count) { text(info.count, 13, "#222", false, room); }
                y = Math.max(y, PAD + 36) + 4;
                ctx.font = "12px " + FONT;
                var x = PAD, rowH = 18;
                function item(label, symbol) {
                    var w = 18 + ctx.measureText(label).width + 14;
                    if (x + w > width - PAD && x > PAD) { x = PAD; y += rowH; }
                    if (draw) {
                        symbol(x + 6, y + 8);
                        ctx.fillStyle = "#222"; ctx.font = "12px " + FONT;
                        ctx.fillText(label, x + 16, y + 12);
                    }
                    x += w;
                }
                function disc(color, r, hollow, dashed) {
                    return function (cx, cy) {
                        ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI);
                        ctx.setLineDash(dashed ? [3, 2] : []);
                        ctx.fillStyle = hollow ? "#ffffff" : color; ctx.fill();
                        ctx.lineWidth = hollow ? 2 : 1;
                        ctx.strokeStyle = hollow ? color : "#888"; ctx.stroke();
                        ctx.setLineDash([]);
                    };
                }
                if (info.legend_title) {
                    ctx.font = "bold 12px " + FONT;
                    var head = info.legend_title + ":";
                    if (draw) { ctx.fillStyle = "#222"; ctx.fillText(head, x, y + 12); }
                    x += ctx.measureText(head).width + 10;
                    ctx.font = "12px " + FONT;
                }
                info.legend.forEach(function (entry) {
                    item(entry[0], disc(entry[1], 5, false, false));
                });
                if (info.sizes) {
                    item("size: killed + injured (" + info.size_key.join(", ") + ")",
                         disc("#bbbbbb", 6, false, false));
                }
                if (info.grid) {
                    item("grid clusters: exact incident counts",
                         disc("#888888", 6, false, false));
                }
                if (info.approximate_dates) {
                    item("date approximate", disc("#555555", 5, true, true));
                }
                if (info.rings) {
                    item("ring: location uncertainty", disc("#555555", 6, true, true));
                }
                if (info.sites) {
                    item("site (named place)", function (cx, cy) {
                        ctx.fillStyle = "#222222"; ctx.fillRect(cx - 4, cy - 4, 8, 8);
                    });
                }
                y += rowH + 6;
                layout.scale = scaleBar(ctx, PAD + 4, y, draw);
                y += 28;
                if (info.sources) { text(info.sources, 11, "#444", false); }
                text(attribution() + " | Projection: Web Mercator", 11, "#555", false);
                layout.height = y + PAD - 4;
                return layout;
            }
            function hideOutside() {
                /* dom-to-image draws the container's whole scroll area, which markers and
                   labels off screen (and Leaflet's zoom proxy) stretch to thousands of
                   pixels; hide them while the picture is taken. */
                var box = map.getContainer().getBoundingClientRect(), hidden = [];
                map.getContainer().querySelectorAll(
                    ".leaflet-marker-icon, .leaflet-tooltip, .leaflet-proxy, .geo-focus"
                ).forEach(function (el) {
                    var r = el.getBoundingClientRect();
                    if (el.classList.contains("leaflet-proxy") || el.classList.contains(
                            "geo-focus") || r.right < box.left || r.left > box.right
                            || r.bottom < box.top || r.top > box.bottom) {
                        hidden.push([el, el.style.display]);
                        el.style.display = "none";
                        el.classList.add("geo-offscreen");
                    }
                });
                return function () {
                    hidden.forEach(function (h) {
                        h[0].style.display = h[1];
                        h[0].classList.remove("geo-offscreen");
                    });
                };
            }
            function expandClusters() {
                /* The picture shows every incident, not cluster bubbles: each cluster
                   group leaves the map for the shot, its markers stand in for it. */
                var groups = [], loose = L.layerGroup(), drawn = 0;
                map.eachLayer(function (layer) {
                    if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {
                        groups.push(layer);
                    }
                });
                groups.forEach(function (group) {
                    var markers = group.getLayers();
                    map.removeLayer(group);
                    markers.forEach(function (m) { loose.addLayer(m); });
                });
                loose.addTo(map);
                map.eachLayer(function (layer) {
                    if (layer.options && layer.options.row) { drawn += 1; }
                });
                return {markers: drawn, restore: function () {
                    map.removeLayer(loose);
                    groups.forEach(function (group) { map.addLayer(group); });
                }};
            }
            function nextFrame() {
                return new Promise(function (done) { requestAnimationFrame(done); });
            }
            map.geoSnapshot = function () {
                var expanded = expandClusters(), restore = function () {};
                function undo() { restore(); expanded.restore(); }
                var shot = nextFrame().then(function () {
                    if (map.geoDeclutter) { map.geoDeclutter(); }
                    restore = hideOutside();
                    return camera.takeScreen("canvas");
                });
                shot.then(undo, undo);
                return shot.then(function (view) {
                    /* The capture spans the container's scroll size (the canvas renderer
                       overflows it); keep exactly the visible map. */
                    var size = map.getSize(), w = size.x, h = size.y;
                    var out = document.createElement("canvas");
                    var ctx = out.getContext("2d");
                    out.width = w;
                    var height = band(ctx, w, false).height;
                    out.height = h + height;
                    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, out.width, out.height);
                    ctx.drawImage(view, 0, 0, w, h, 0, 0, w, h);
                    ctx.strokeStyle = "#999"; ctx.lineWidth = 1;
                    ctx.beginPath(); ctx.moveTo(0, h + 0.5); ctx.lineTo(w, h + 0.5); ctx.stroke();
                    ctx.translate(0, h);
                    var layout = band(ctx, w, true);
                    ["title", "north", "scale"].forEach(function (k) {
                        if (layout[k]) { layout[k][1] += h; }
                    });
                    layout.markers = expanded.markers;
                    out.geoLayout = layout;
                    return out;
                });
            };
            map.on("simpleMapScreenshoter.click", function () {
                map.geoSnapshot().then(function (canvas) {
                    map.geoLastLayout = canvas.geoLayout;
                    canvas.toBlob(function (blob) {
                        var a = document.createElement("a");
                        a.download = (map.geoMapInfo && map.geoMapInfo.filename)
                            || "incidents.png";
                        a.href = URL.createObjectURL(blob);
                        document.body.appendChild(a); a.click(); a.remove();
                        setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
                    }, "image/png");
                }).catch(function (error) { console.error("Map snapshot failed", error); });
            });
        })();
        {% endmacro %}
        """
    )

    default_js = [("leaflet-simple-map-screenshoter", SCREENSHOTER_URL)]

    def __init__(self) -> None:
        super().__init__()
        self._name = "Camera"
