"""The library stays free of Streamlit: it must work in scripts and batch exports."""

from __future__ import annotations

import ast
from pathlib import Path

GEO = Path(__file__).resolve().parents[1] / "geo"


def test_geo_never_imports_streamlit():
    offenders = []
    for path in GEO.rglob("*.py"):
        if (
            "bench_apps" in path.parts
        ):  # the benchmark's baseline apps are Streamlit scripts by design
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []
