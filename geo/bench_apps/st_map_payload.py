"""The deck JSON ``st.map`` sends, built by Streamlit's own serialiser (for the benchmark)."""

from __future__ import annotations

import pandas as pd
from streamlit.elements.map import to_deckgl_json


def deck_json(points: pd.DataFrame, color: str) -> str:
    """Serialise ``latitude``/``longitude`` points exactly as ``st.map`` does."""
    return to_deckgl_json(points, None, None, 300, color, None)
