"""The state of one import: connection, source, dates, counts and the typed staging table."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .staging import Mapping, Staged

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store


@dataclass
class ImportReport:
    """What an import did; printed by the CLI and stored in ``imports``."""

    import_id: int | None
    kind: str
    source: str
    files: list[str]
    rows_read: int = 0
    rows_imported: int = 0
    rows_updated: int = 0
    rows_duplicate: int = 0
    # an import combining rows per key (one line per product): the further rows merged into their key's enterprise
    rows_combined: int = 0
    rows_rejected: int = 0
    rows_conflict: int = 0  # kept as source records, values differ from the enterprise's (see ``conflicts``)
    # of those, the earlier rows of a key repeated within this import (the last row gives the enterprise its
    # values): each with its row and the row that won, [{file, row, kept_file, kept_row, column, key, uscc, fields}]
    rows_repeated: int = 0
    # fundings: rows counted duplicate because they are a round another row of this import already gives (same
    # enterprise under another key, same date, type and amount not differing)
    rounds_merged: int = 0
    repeats: list[dict] = field(default_factory=list)
    fields_dropped: int = 0
    # rows imported without a field their kind should have, by the rejects file's code: a news item without a
    # publication date (``published_missing``) or a title (``title_missing``), a row whose region columns name no
    # region found (``region_unknown``)
    kept_without: dict[str, int] = field(default_factory=dict)
    unlinked: int = 0
    ambiguous: int = 0
    # the names left ambiguous, then those most often left unlinked (news: the declared companies), most frequent
    # first: [{name, rows, ambiguous}] — at most ``notices.UNLINKED_SHOWN``; the counts above cover them all
    unlinked_names: list[dict] = field(default_factory=list)
    # facts linked to an enterprise, by the evidence: uscc / source_key / listed_code / other_code / name / alias
    linked_by: dict[str, int] = field(default_factory=dict)
    region_conflicts: int = 0  # rows whose credit code's division code points to another region than the text
    region_text_conflicts: int = 0  # rows whose address and region text name different places
    name_region_conflicts: int = 0  # rows whose legal name states a province or city other than the region imported
    # rows whose region, coarser than their enterprise's (a province for a known city), names another place: not followed
    region_coarser_conflicts: int = 0
    deadline_before_published: int = 0  # demands imported whose deadline is before their publication date
    # amounts imported that were a bare number under 1,000 in a column without a unit, read in 元 (``amount_no_unit``)
    amounts_no_unit: int = 0
    conflicts: list[dict] = field(default_factory=list)
    named_by_alternate: dict | None = None  # rows named from a fallback column (short name): {"columns", "rows"}
    near_merges: list[dict] = field(default_factory=list)  # same name, another source, not merged: to review
    # field values (capital, address, industry, website, …) this export gave that an export with a later data
    # date (any source) had already set: kept in this import's source records only, no update, no history, no
    # event; and the same by enterprise column
    values_kept_older: int = 0
    values_kept_older_by_field: dict[str, int] = field(default_factory=dict)
    linked_earlier: int = 0  # facts of earlier imports linked by this one (their enterprise arrived), each once
    linked_earlier_enterprises: int = 0  # the enterprises those facts were linked to
    rejects_path: str | None = None
    encodings: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    skipped_same_file: bool = False
    # enterprises, by source key: new / changed / unchanged / disappeared against this source's earlier exports
    changes: dict[str, int] | None = None
    # the data date its changes are dated by; not given: the import day, and the reference date stays (core.asof)
    data_date: str | None = None
    data_date_given: bool = True
    # product lines of keys that came again unchanged, dated by this import's data date: they were undated (an
    # earlier import of the same lines without a data date) or had a later date
    lines_redated: int = 0
    # the database's as-of date (core.asof.latest_data_date: what every view answers for) before and after this
    # import: {"before", "after", "moved"} — a dated import can move it by years
    as_of: dict | None = None
    # the sheet each XLSX was read from: [{file, sheet, number, of}] (the first unless --sheet chose another)
    sheets: list[dict] = field(default_factory=list)
    # the header row of each CSV/XLSX read below its first row (title or blank lines above it, not imported) or named
    # by --header-row: [{file, row, given}]
    header_rows: list[dict] = field(default_factory=list)
    # enterprises: how the export covers its source, as the import was told — "partial" (no key marked absent),
    # "complete" (the keys left out marked absent however many) or None (checked: most keys gone is refused)
    scope: str | None = None
    # enterprises, a source named after its file and new to the database: the existing source of the same name but
    # for a date or number part that holds most of its keys, {"source", "shared", "keys"} (``delta.same_series_source``)
    source_hint: dict | None = None
    # the files' headers no field was read from: not imported, named by the command (stderr) and the 数据更新 page
    columns_unread: list[str] = field(default_factory=list)
    # the preset's columns the files lack (a column of an optional field, when the file holds most of the preset's):
    # skipped, not refused; named by the command (stderr), carried by an upload's job (/api/updates/{id})
    columns_absent: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ImportContext:
    store: "Store"
    kind: str
    source: str
    import_id: int
    data_date: _dt.date
    started_at: _dt.datetime
    mapping: Mapping
    staged: Staged
    report: ImportReport
    rows_ok: int = 0
    linked_ids_sql: str | None = None
    data_expr: str = ""  # SQL for a row's mapped source values as JSON (over ``_typed t``)
    unique_keys: int | None = None  # enterprises: the rows written when every key came once
    # a first export written in parts: the first ``founded`` event's id when they are written with the enterprises
    founded_events: int | None = None
    # the source was named after the file (no ``--source``, no preset's source)
    named_by_file: bool = False

    @property
    def con(self):
        return self.store.con
