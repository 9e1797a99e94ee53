"""Regions and their emergency numbers, loaded from content/regions.toml (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from selfcare.clinical.errors import ContentError
from selfcare.clinical.validate import read_toml

_REQUIRED = {"code": str, "name": str, "emergency": str, "source": str}
_OPTIONAL = {"urgent_advice": str}


@dataclass(frozen=True)
class Region:
    """A place the patient lives, with the numbers the emergency screens offer."""

    code: str
    name: str
    emergency: str
    source: str
    urgent_advice: str | None = None


def load_regions(path: Path) -> dict[str, Region]:
    """Read and validate the regions file; return regions by code, in file order."""
    data = read_toml(Path(path))
    unknown = set(data) - {"region"}
    if unknown:
        raise ContentError(path, ", ".join(sorted(unknown)), "unknown key")
    regions: dict[str, Region] = {}
    tables = data.get("region", [])
    if not isinstance(tables, list):
        raise ContentError(path, "region", "must be an array of tables ([[region]])")
    for index, raw in enumerate(tables):
        where = f"region[{index}]"
        if not isinstance(raw, dict):
            raise ContentError(path, where, "must be a table")
        for key in sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL)):
            raise ContentError(path, f"{where}.{key}", "unknown key")
        for key, kind in {**_REQUIRED, **_OPTIONAL}.items():
            if key not in raw:
                if key in _REQUIRED:
                    raise ContentError(path, f"{where}.{key}", "missing key")
                continue
            if not isinstance(raw[key], kind) or not raw[key].strip():
                raise ContentError(path, f"{where}.{key}", f"must be a non-empty {kind.__name__}")
        if raw["code"] in regions:
            raise ContentError(path, f"{where}.code", f"duplicate id {raw['code']!r}")
        regions[raw["code"]] = Region(**raw)
    if not regions:
        raise ContentError(path, "region", "at least one region is needed")
    return regions
