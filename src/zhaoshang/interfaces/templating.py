"""Compiled Jinja templates kept between processes: the web pages' and the reports' (one cache for both)."""

from __future__ import annotations

from jinja2 import FileSystemBytecodeCache


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept between server starts and commands, in Jinja's per-user folder under the temporary
    directory and keyed by each template's checksum (an edited template compiles anew). A started server's first page
    no longer compiles its templates (the region page's four: ≈ 0.55 s of the first request on the shared machine,
    0.01 s read back), nor does a report command its own. A folder that cannot be read or written leaves the templates
    compiled in memory, as before."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def compiled_templates() -> FileSystemBytecodeCache | None:
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no private folder can be made under the temporary directory
        return None
