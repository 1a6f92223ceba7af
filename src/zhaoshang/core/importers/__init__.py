"""Importers: files of every kind into the store, with linking, provenance, history and events."""

from .context import ImportReport
from .pipeline import import_files, list_presets, load_mapping
from .relink import relink_all

__all__ = ["ImportReport", "import_files", "list_presets", "load_mapping", "relink_all"]
