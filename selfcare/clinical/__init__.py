"""The pure clinical core of selfcare: standard library only (see CLINICAL.md)."""

from __future__ import annotations

from selfcare.clinical.errors import ContentError
from selfcare.clinical.regions import Region, load_regions

__all__ = ["ContentError", "Region", "load_regions"]
