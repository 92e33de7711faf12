"""The modules the dashboard imports before its first paint leave the heavy ones unloaded.

The report (matplotlib), the chart (altair), the GIS file readers (pyogrio) and the
incident store (SQLAlchemy) are imported when they are used, so a server that has just
started draws its map without paying for them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from tests.conftest import REPO

NOT_BEFORE_THE_MAP = ("matplotlib", "altair", "pyogrio", "PIL", "sqlalchemy", "fiona")


def top_level_imports(path) -> list[str]:
    """Modules a script imports at its top level (not inside functions or branches)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def loaded_after(modules: list[str]) -> set[str]:
    """Top-level packages in ``sys.modules`` of a fresh interpreter after these imports."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError:\n"
        "        pass  # a name imported from a module, not a module\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_dashboard_first_paint_imports_leave_the_heavy_modules_unloaded():
    modules = top_level_imports(REPO / "dashboard.py")
    assert "ui.mapview" in modules and "streamlit" in modules  # the map's module, via ui/
    loaded = loaded_after(modules)
    assert "folium" in loaded and "geo" in loaded  # the check sees what was imported
    assert not loaded & set(NOT_BEFORE_THE_MAP), sorted(loaded & set(NOT_BEFORE_THE_MAP))


def test_the_check_sees_a_heavy_module_when_one_is_imported():
    assert "matplotlib" in loaded_after(["geo.mapview", "matplotlib.figure"])
