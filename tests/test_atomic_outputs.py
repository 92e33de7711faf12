"""Set-up outputs are replaced whole: tiles by folder, their index and layers by rename."""

from __future__ import annotations

import json
from pathlib import Path

from geo import tiles
from geo.basemap import prepare


def _tile_folder(root: Path, name: str, marker: str) -> Path:
    folder = root / name
    (folder / "6" / "40").mkdir(parents=True)
    (folder / "6" / "40" / "25.png").write_text(marker, encoding="utf-8")
    return folder


def test_new_tiles_are_indexed_after_they_are_in_place_and_old_ones_go_last(tmp_path: Path):
    root = tmp_path / "tiles"
    _tile_folder(root, "old0version", "old")
    (root / tiles.INDEX_FILE).write_text(json.dumps({"version": "old0version"}), "utf-8")
    staging = _tile_folder(root, ".new1version.partial", "new")

    target = tiles.publish_tiles(staging, root, {"version": "new1version", "tiles": 1})

    assert target == root / "new1version"
    assert (target / "6" / "40" / "25.png").read_text(encoding="utf-8") == "new"
    index = json.loads((root / tiles.INDEX_FILE).read_text(encoding="utf-8"))
    assert index["version"] == "new1version"
    assert sorted(p.name for p in root.iterdir()) == [tiles.INDEX_FILE, "new1version"]


def test_republishing_the_same_version_replaces_it(tmp_path: Path):
    root = tmp_path / "tiles"
    _tile_folder(root, "same", "first")
    staging = _tile_folder(root, ".same.partial", "second")
    tiles.publish_tiles(staging, root, {"version": "same"})
    assert (root / "same" / "6" / "40" / "25.png").read_text(encoding="utf-8") == "second"
    assert not staging.exists()


def test_basemap_layer_is_replaced_through_a_temporary_file(tmp_path: Path):
    path = tmp_path / "towns.geojson"
    path.write_text("previous", encoding="utf-8")
    feature = {"type": "Feature", "properties": {"name": "Baghdad"}, "geometry": None}
    prepare._write_geojson(path, [feature])
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["features"][0]["properties"]["name"] == "Baghdad"
    assert [p.name for p in tmp_path.iterdir()] == ["towns.geojson"]  # no temporary left
