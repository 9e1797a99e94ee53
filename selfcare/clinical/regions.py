"""Regions and their emergency numbers, loaded from content/regions.toml (standard library only)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from selfcare.clinical.errors import ContentError

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
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    unknown = set(data) - {"region"}
    if unknown:
        raise ContentError(path, ", ".join(sorted(unknown)), "unknown key")
    regions: dict[str, Region] = {}
    for index, raw in enumerate(data.get("region", [])):
        where = f"region[{index}]"
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
