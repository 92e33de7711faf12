"""Server work of the ``st.map`` baseline, timed in its own process.

``python -m geo bench`` runs this script so that the library never loads Streamlit: the
window is selected as in ``st_map.py`` and serialised by Streamlit's own ``st.map``
serialiser. Prints one JSON object: ``server_ms`` and ``payload_bytes``.

Usage: ``python benchmarks/st_map_server.py CSV START END REPEATS BUDGET_S``
"""

from __future__ import annotations

import json
import sys
from datetime import date

from streamlit.elements.map import to_deckgl_json

from benchmarks.baseline import ST_MAP_COLOR, ST_MAP_POINT_SIZE, read_bench_csv, select_window
from benchmarks.bench import median_ms


def main(argv: list[str]) -> None:
    """Time the window plus the deck JSON ``st.map`` sends, and print the figures."""
    path, start, end, repeats, budget_s = argv
    frame = read_bench_csv(path)
    window = (date.fromisoformat(start), date.fromisoformat(end))

    def interaction() -> int:
        shown = select_window(frame, *window)[["latitude", "longitude"]]
        deck = to_deckgl_json(shown, None, None, ST_MAP_POINT_SIZE, ST_MAP_COLOR, None)
        return len(deck.encode())

    server_ms, payload_bytes = median_ms(interaction, int(repeats), float(budget_s))
    print(json.dumps({"server_ms": server_ms, "payload_bytes": payload_bytes}))


if __name__ == "__main__":
    main(sys.argv[1:])
