"""The camera: saves the current view as a PNG with title, caption and legend."""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.mapview.options import SCREENSHOTER_URL


class _Camera(JSCSSMixin, MacroElement):
    """A camera button saving the current view as a PNG with a caption block.

    The view is captured by leaflet-simple-map-screenshoter (controls hidden, scale bar
    kept); the caption block under it is drawn from what the incident layers put on the
    map (``map.geoMapInfo``) and the attributions of the layers shown. ``map.geoSnapshot()``
    returns the finished canvas (a Promise), for tests and other callers.
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
                hideElementsWithSelectors: [".leaflet-top", ".leaflet-control-attribution",
                                            ".geo-legend", ".leaflet-popup-pane"]
            }).addTo(map);
            var link = camera.getContainer().querySelector("a");
            if (link) { link.title = "Save this view as a PNG"; }

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
            function caption(ctx, width, draw) {
                var info = map.geoMapInfo || {title: "", caption: "", count: "", legend: [],
                                              legend_title: ""};
                var pad = 12, y = pad, font = "Arial, Helvetica, sans-serif";
                function text(value, size, color, bold) {
                    ctx.font = (bold ? "bold " : "") + size + "px " + font;
                    wrap(ctx, value, width - 2 * pad).forEach(function (l) {
                        if (draw) { ctx.fillStyle = color; ctx.fillText(l, pad, y + size); }
                        y += size + 4;
                    });
                }
                if (info.title) { text(info.title, 17, "#111", true); }
                if (info.caption) { text(info.caption, 13, "#222", false); }
                if (info.count) { text(info.count, 13, "#222", false); }
                y += 4;
                ctx.font = "12px " + font;
                var x = pad, rowH = 18;
                function item(label, symbol) {
                    var w = 18 + ctx.measureText(label).width + 14;
                    if (x + w > width - pad && x > pad) { x = pad; y += rowH; }
                    if (draw) {
                        symbol(x + 6, y + 8);
                        ctx.fillStyle = "#222"; ctx.font = "12px " + font;
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
                    ctx.font = "bold 12px " + font;
                    var head = info.legend_title + ":";
                    if (draw) { ctx.fillStyle = "#222"; ctx.fillText(head, x, y + 12); }
                    x += ctx.measureText(head).width + 10;
                    ctx.font = "12px " + font;
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
                y += rowH + 4;
                text(attribution(), 11, "#555", false);
                return y + pad - 4;
            }
            function hideOutside() {
                /* dom-to-image draws the container's whole scroll area, which markers and
                   labels off screen (and Leaflet's zoom proxy) stretch to thousands of
                   pixels; hide them while the picture is taken. */
                var box = map.getContainer().getBoundingClientRect(), hidden = [];
                map.getContainer().querySelectorAll(
                    ".leaflet-marker-icon, .leaflet-tooltip, .leaflet-proxy"
                ).forEach(function (el) {
                    var r = el.getBoundingClientRect();
                    if (el.classList.contains("leaflet-proxy") || r.right < box.left
                            || r.left > box.right || r.bottom < box.top || r.top > box.bottom) {
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
            map.geoSnapshot = function () {
                var restore = hideOutside();
                var shot = camera.takeScreen("canvas");
                shot.then(restore, restore);
                return shot.then(function (view) {
                    /* The capture spans the container's scroll size (the canvas renderer
                       overflows it); keep exactly the visible map. */
                    var size = map.getSize(), w = size.x, h = size.y;
                    var out = document.createElement("canvas");
                    var ctx = out.getContext("2d");
                    out.width = w;
                    var height = caption(ctx, w, false);
                    out.height = h + height;
                    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, out.width, out.height);
                    ctx.drawImage(view, 0, 0, w, h, 0, 0, w, h);
                    ctx.strokeStyle = "#999"; ctx.lineWidth = 1;
                    ctx.beginPath(); ctx.moveTo(0, h + 0.5); ctx.lineTo(w, h + 0.5); ctx.stroke();
                    ctx.translate(0, h);
                    caption(ctx, w, true);
                    return out;
                });
            };
            map.on("simpleMapScreenshoter.click", function () {
                map.geoSnapshot().then(function (canvas) {
                    canvas.toBlob(function (blob) {
                        var a = document.createElement("a");
                        var title = (map.geoMapInfo && map.geoMapInfo.title) || "map";
                        a.download = title.replace(/[^A-Za-z0-9._-]+/g, "_") + ".png";
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
