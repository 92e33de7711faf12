"""The library stays free of Streamlit: it must work in scripts and batch exports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

GEO = Path(__file__).resolve().parents[1] / "geo"


def test_geo_never_imports_streamlit():
    offenders = []
    for path in GEO.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            # streamlit itself and its components (streamlit_folium, ...)
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("streamlit")]
    assert offenders == []


def test_importing_every_geo_module_loads_no_streamlit():
    # The import check above reads the code; this one asks Python what importing it loads.
    script = (
        "import importlib, pkgutil, sys, geo\n"
        "for mod in pkgutil.walk_packages(geo.__path__, 'geo.'):\n"
        "    if mod.name != 'geo.__main__':\n"
        "        importlib.import_module(mod.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('streamlit')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"
