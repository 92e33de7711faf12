"""Incident map: read, validate, filter, map and export incident data.

The package is pure library code: it never imports Streamlit. ``dashboard.py``
and ``geo.cli`` are the thin shells over it.
"""

from __future__ import annotations

__version__ = "0.1.0"
