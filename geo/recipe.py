"""View recipes: the JSON written beside every export, to make the same output again.

A recipe records what was asked (filters as URL parameters, title, size, colouring), what
was drawn (the extent finally shown, the output format) and what it was drawn from (the
data file's path and SHA-256). ``python -m geo export --recipe FILE`` reads one back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from geo import __version__
from geo.filters import IncidentFilter
from geo.report import ReportOptions
from geo.schema import IncidentDataError, UnreadableFileError
from geo.urlstate import filter_from_query, filter_to_query

RECIPE_VERSION: Final = 1
RECIPE_SUFFIX: Final = ".recipe.json"
LAYERS: Final = ("basemap", "incidents", "uncertainty", "labels", "legend")


@dataclass(frozen=True)
class Recipe:
    """Everything needed to make an export again.

    Attributes
    ----------
    flt : IncidentFilter
        The filters.
    options : ReportOptions
        Title, size, pixel ratio, colouring and extent (``bounds``).
    format : str
        The output format (``png``, ``pdf``, ``html``, ``csv``, ``geojson``).
    data_path : str or None
        The data file (absolute path), or None for data not read from a file.
    data_sha256 : str or None
        SHA-256 of the data file when the export was made.
    created : str
        When the export was made (UTC, ISO 8601).
    tool_version : str
        The version of this package that made it.
    layers : tuple of str
        The map layers drawn.
    """

    flt: IncidentFilter
    options: ReportOptions
    format: str
    data_path: str | None = None
    data_sha256: str | None = None
    created: str = ""
    tool_version: str = __version__
    layers: tuple[str, ...] = field(default=LAYERS)

    def to_dict(self) -> dict[str, Any]:
        """Return the recipe as plain JSON-ready data."""
        options = asdict(self.options)
        return {
            "recipe_version": RECIPE_VERSION,
            "title": self.options.title,
            "format": self.format,
            "filters": filter_to_query(self.flt),
            "extent": list(self.options.bounds) if self.options.bounds else None,
            "layers": list(self.layers),
            "options": {
                "width": options["width"],
                "height": options["height"],
                "scale": options["scale"],
                "color_by": options["color_by"],
                "actor_ranking": list(options["actor_ranking"]),
            },
            "data": {"path": self.data_path, "sha256": self.data_sha256},
            "created": self.created,
            "tool_version": self.tool_version,
        }


def recipe_path_for(out: Path) -> Path:
    """Name the recipe written beside an export: ``map.png`` -> ``map.png.recipe.json``."""
    return out.with_name(out.name + RECIPE_SUFFIX)


def now_utc() -> str:
    """Return the current time as ISO 8601 UTC with a ``Z``, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_recipe(recipe: Recipe, path: Path) -> Path:
    """Write a recipe as indented JSON.

    Parameters
    ----------
    recipe : Recipe
    path : Path
        Where to write it (see :func:`recipe_path_for`).

    Returns
    -------
    Path
        ``path``.
    """
    text = json.dumps(recipe.to_dict(), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def recipe_to_json_bytes(recipe: Recipe) -> bytes:
    """Serialise a recipe as UTF-8 JSON bytes, for a download button."""
    return (json.dumps(recipe.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _require(mapping: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = mapping.get(key)
    if not isinstance(value, kind):
        raise IncidentDataError(f"recipe {where}: {key!r} is missing or not valid ({value!r})")
    return value


def _as_filter(params: Any, where: str) -> IncidentFilter:
    """Read the filters strictly: a recipe keeps every value, known to the data or not."""
    if not isinstance(params, dict):
        raise IncidentDataError(f"recipe {where}: 'filters' must be an object")
    values = {k: v for k, v in params.items() if isinstance(v, str | list)}

    def listed(key: str) -> list[str]:
        raw = values.get(key, [])
        return [raw] if isinstance(raw, str) else [str(v) for v in raw]

    flt, problems = filter_from_query(
        values, actors=listed("actor"), event_types=listed("type"), sites=listed("site")
    )
    if problems:
        raise IncidentDataError(f"recipe {where}: {problems[0]}")
    return flt


def recipe_from_dict(data: dict[str, Any], where: str = "") -> Recipe:
    """Build a recipe from parsed JSON, checking each field.

    Parameters
    ----------
    data : dict
        As written by :meth:`Recipe.to_dict`.
    where : str
        The file's name, for error messages.

    Returns
    -------
    Recipe

    Raises
    ------
    IncidentDataError
        When a field is missing or has the wrong type, naming it.
    """
    if not isinstance(data, dict):
        raise IncidentDataError(f"recipe {where}: expected a JSON object")
    options = _require(data, "options", dict, where)
    extent = data.get("extent")
    bounds: tuple[float, float, float, float] | None = None
    if extent is not None:
        if not (
            isinstance(extent, list)
            and len(extent) == 4
            and all(isinstance(v, int | float) for v in extent)
        ):
            raise IncidentDataError(
                f"recipe {where}: 'extent' must be [lon_min, lat_min, lon_max, lat_max]"
            )
        bounds = (float(extent[0]), float(extent[1]), float(extent[2]), float(extent[3]))
    dataset = data.get("data") or {}
    try:
        report_options = ReportOptions(
            title=str(_require(data, "title", str, where)),
            width=int(_require(options, "width", int, where)),
            height=int(_require(options, "height", int, where)),
            scale=float(_require(options, "scale", (int, float), where)),
            color_by=str(options.get("color_by", "event_type")),
            bounds=bounds,
            actor_ranking=tuple(str(a) for a in options.get("actor_ranking") or ()),
        )
    except ValueError as exc:
        raise IncidentDataError(f"recipe {where}: {exc}") from exc
    return Recipe(
        flt=_as_filter(data.get("filters", {}), where),
        options=report_options,
        format=str(_require(data, "format", str, where)),
        data_path=dataset.get("path") if isinstance(dataset.get("path"), str) else None,
        data_sha256=dataset.get("sha256") if isinstance(dataset.get("sha256"), str) else None,
        created=str(data.get("created", "")),
        tool_version=str(data.get("tool_version", "")),
        layers=tuple(str(v) for v in data.get("layers") or LAYERS),
    )


def read_recipe(path: str | Path) -> Recipe:
    """Read a recipe file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Recipe

    Raises
    ------
    UnreadableFileError
        When the file is missing or is not JSON.
    IncidentDataError
        When a field is missing or not valid.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnreadableFileError(f"recipe {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFileError(f"recipe {path} is not a readable JSON file: {exc}") from None
    return recipe_from_dict(data, str(path))


def with_overrides(recipe: Recipe, **changes: Any) -> Recipe:
    """Copy a recipe with some fields replaced (values of None are ignored)."""
    return replace(recipe, **{k: v for k, v in changes.items() if v is not None})
