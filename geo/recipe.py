"""View recipes: the JSON written beside every export, to make the same output again.

A recipe records what was asked (filters as URL parameters, title, size, colouring), what
was drawn (the extent finally shown, the output format) and what it was drawn from (the
data file's path and SHA-256). ``python -m geo export --recipe FILE`` reads one back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from geo import __version__
from geo.filters import REVIEW_STATES, IncidentFilter
from geo.report import PageOptions, ReportOptions
from geo.schema import IncidentDataError, UnreadableFileError
from geo.urlstate import (
    COLUMN_PREFIX,
    RANGE_SEPARATOR,
    filter_to_query,
    view_from_query,
    view_to_query,
)
from geo.view import View

RECIPE_VERSION: Final = 2  # 2 adds ``view``, the whole view as URL parameters
RECIPE_SUFFIX: Final = ".recipe.json"
LAYERS: Final = ("basemap", "incidents", "uncertainty", "labels", "legend")
# View parameters a recipe keeps in fields of their own rather than under "view".
OWN_FIELDS: Final = frozenset({"title", "extent", "color", "rank"})


@dataclass(frozen=True)
class OutputOptions:
    """What an export draws besides its view: a cumulative time-lapse, a second period.

    Attributes
    ----------
    cumulative : bool
        A time-lapse's frames show every incident so far, the newest step highlighted.
    compare : (date, date) or None
        A second period, drawn beside the view's on a two-panel report.
    """

    cumulative: bool = False
    compare: tuple[date, date] | None = None

    def compared_view(self, view: View) -> View:
        """Return the view over the second period: the same filters in the other window."""
        if self.compare is None:
            raise ValueError("no second period to compare with")
        start, end = self.compare
        return view.with_changes(flt=view.flt.with_changes(start=start, end=end))

    def to_dict(self) -> dict[str, Any]:
        """Return the options that differ from the defaults, as JSON-ready data."""
        data: dict[str, Any] = {}
        if self.cumulative:
            data["cumulative"] = True
        if self.compare is not None:
            data["compare_start"], data["compare_end"] = (d.isoformat() for d in self.compare)
        return data

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> OutputOptions:
        """Read what :meth:`to_dict` wrote.

        Raises
        ------
        IncidentDataError
            When a field is not valid, naming it.
        """
        if not isinstance(data, dict):
            raise IncidentDataError(f"recipe {where}: 'output' must be an object")
        compare = None
        if "compare_start" in data or "compare_end" in data:
            try:
                start = date.fromisoformat(str(data.get("compare_start")))
                end = date.fromisoformat(str(data.get("compare_end")))
            except ValueError:
                raise IncidentDataError(
                    f"recipe {where}: 'compare_start' and 'compare_end' must both be YYYY-MM-DD"
                ) from None
            compare = (start, end)
        return cls(cumulative=data.get("cumulative") is True, compare=compare)


@dataclass(frozen=True)
class Recipe:
    """Everything needed to make an export again.

    Attributes
    ----------
    view : View
        The filters and presentation; ``extent`` is the extent finally shown.
    page : PageOptions
        The report PNG's size and pixel ratio.
    format : str
        The output format (``png``, ``pdf``, ``html``, ``csv``, ``geojson``).
    data_path : str or None
        The data file (absolute path), or None for data not read from a file.
    data_sha256 : str or None
        SHA-256 of the data file when the export was made.
    store_url : str or None
        The incident store the incidents came from (``--db``), without its password.
    created : str
        When the export was made (UTC, ISO 8601).
    tool_version : str
        The version of this package that made it.
    layers : tuple of str
        The map layers drawn.
    output : OutputOptions
        A cumulative time-lapse, or the second period of a comparison.
    """

    view: View
    page: PageOptions
    format: str
    data_path: str | None = None
    data_sha256: str | None = None
    store_url: str | None = None
    created: str = ""
    tool_version: str = __version__
    layers: tuple[str, ...] = field(default=LAYERS)
    output: OutputOptions = field(default_factory=OutputOptions)

    @property
    def flt(self) -> IncidentFilter:
        """The filters."""
        return self.view.flt

    @property
    def options(self) -> ReportOptions:
        """The report page's options: the view's title, colouring and extent at the page size."""
        return ReportOptions.from_view(self.view, self.page)

    def to_dict(self) -> dict[str, Any]:
        """Return the recipe as plain JSON-ready data.

        The view is written as URL query parameters (:func:`geo.urlstate.view_to_query`,
        the one serialisation of a view): the filters under ``filters``, the rest of
        the presentation under ``view``, except title, extent, colouring and ranking,
        which have their own fields (as in the first recipe version).
        """
        view = self.view
        filters = filter_to_query(view.flt)
        rest = {
            k: v for k, v in view_to_query(view).items() if k not in filters and k not in OWN_FIELDS
        }
        return {
            "recipe_version": RECIPE_VERSION,
            "title": view.title,
            "format": self.format,
            "filters": filters,
            "view": rest,
            "extent": list(view.extent) if view.extent else None,
            "layers": list(self.layers),
            "options": {
                "width": self.page.width,
                "height": self.page.height,
                "scale": self.page.scale,
                "color_by": view.color_by,
                "actor_ranking": list(view.actor_ranking),
            },
            "data": {
                "path": self.data_path,
                "sha256": self.data_sha256,
                **({"store": self.store_url} if self.store_url else {}),
            },
            "created": self.created,
            "tool_version": self.tool_version,
            **({"output": output} if (output := self.output.to_dict()) else {}),
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
    path.write_bytes(recipe_to_json_bytes(recipe))
    return path


def recipe_to_json_bytes(recipe: Recipe) -> bytes:
    """Serialise a recipe as UTF-8 JSON bytes, for a download button."""
    return (json.dumps(recipe.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _require(mapping: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = mapping.get(key)
    if not isinstance(value, kind):
        raise IncidentDataError(f"recipe {where}: {key!r} is missing or not valid ({value!r})")
    return value


def _listed(values: dict[str, Any], key: str) -> list[str]:
    raw = values.get(key, [])
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def _as_view(params: dict[str, Any], where: str, key: str) -> View:
    """Read a view strictly: a recipe keeps every filter value, known to the data or not."""
    values = {k: v for k, v in params.items() if isinstance(v, str | list)}
    # The file's own columns a recipe names are checked against the data when it is read.
    columns = {
        k[len(COLUMN_PREFIX) :]: _listed(values, k) for k in values if k.startswith(COLUMN_PREFIX)
    }
    # A numeric column's range is written MIN..MAX (see geo.urlstate.format_range).
    numeric = [c for c, v in columns.items() if len(v) == 1 and RANGE_SEPARATOR in v[0]]
    if color := _listed(values, "color"):
        columns.setdefault(color[-1], [])
    view, problems = view_from_query(
        values,
        actors=[*_listed(values, "actor"), *_listed(values, "actor1"), *_listed(values, "actor2")],
        event_types=_listed(values, "type"),
        sites=_listed(values, "site"),
        columns=columns,
        statuses=REVIEW_STATES,  # checked against the store when the recipe is used
        numeric=numeric,
    )
    if problems:
        raise IncidentDataError(f"recipe {where}: {problems[0]}")
    return view


def _read_view(data: dict[str, Any], options: dict[str, Any], where: str) -> View:
    """Read the view: filters and presentation parameters, then the fields of their own."""
    filters, rest = data.get("filters", {}), data.get("view", {"site_labels": "all"})
    if not isinstance(filters, dict):
        raise IncidentDataError(f"recipe {where}: 'filters' must be an object")
    if not isinstance(rest, dict):
        raise IncidentDataError(f"recipe {where}: 'view' must be an object")
    # A first-version recipe has no "view": the command line then drew every site.
    params = {**filters, **{k: v for k, v in rest.items() if k not in OWN_FIELDS}}
    view = _as_view(params, where, "filters")
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
    try:
        return view.with_changes(
            title=str(_require(data, "title", str, where)),
            color_by=str(options.get("color_by", "event_type")),
            extent=bounds,
            actor_ranking=tuple(str(a) for a in options.get("actor_ranking") or ()),
        )
    except ValueError as exc:
        raise IncidentDataError(f"recipe {where}: {exc}") from exc


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
    view = _read_view(data, options, where)
    dataset = data.get("data") or {}
    try:
        page = PageOptions(
            width=int(_require(options, "width", int, where)),
            height=int(_require(options, "height", int, where)),
            scale=float(_require(options, "scale", (int, float), where)),
        )
    except ValueError as exc:
        raise IncidentDataError(f"recipe {where}: {exc}") from exc
    return Recipe(
        view=view,
        page=page,
        format=str(_require(data, "format", str, where)),
        data_path=dataset.get("path") if isinstance(dataset.get("path"), str) else None,
        data_sha256=dataset.get("sha256") if isinstance(dataset.get("sha256"), str) else None,
        store_url=dataset.get("store") if isinstance(dataset.get("store"), str) else None,
        created=str(data.get("created", "")),
        tool_version=str(data.get("tool_version", "")),
        layers=tuple(str(v) for v in data.get("layers") or LAYERS),
        output=OutputOptions.from_dict(data.get("output", {}), where),
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
