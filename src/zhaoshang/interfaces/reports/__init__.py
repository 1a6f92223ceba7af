"""Reports for a leadership meeting: HTML (Jinja2), PDF (the same HTML through weasyprint with Noto CJK
fonts) and XLSX (one sheet per section plus a 说明 sheet). Builders take the document a service returns, so
the report, the web page and the JSON twin show the same numbers. ``region`` builds the content and the
HTML/PDF; ``xlsx`` the workbook from the same content; this module picks the writer by suffix."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import UserError
from .region import REPORT_SUFFIXES, render_region_html, write_html, write_pdf
from .xlsx import write_xlsx

__all__ = ["REPORT_SUFFIXES", "render_region_html", "report_suffix", "write_region_report"]


def report_suffix(path: str | Path) -> str:
    """The report format a file name asks for (its suffix), or the refusal: a name without a suffix, or another one."""
    suffix = Path(path).suffix.lower()
    if not suffix:
        raise UserError(f"报告文件名没有扩展名: {Path(path).name}（请以 .pdf、.xlsx 或 .html 结尾）",
                        f"the report file name has no suffix: {Path(path).name} (end it in .pdf, .xlsx or .html)")
    if suffix not in REPORT_SUFFIXES:
        raise UserError(f"不支持的报告格式: {suffix}（可用: .pdf、.xlsx、.html）", f"unsupported report format: {suffix} (use .pdf, .xlsx or .html)")
    return suffix


def write_region_report(profile: dict, path: str | Path, lang: str = "zh") -> Path:
    """Write the report in the format named by the file's suffix (.pdf, .xlsx, .html)."""
    suffix = report_suffix(path)
    writer = {".pdf": write_pdf, ".html": write_html, ".xlsx": write_xlsx}[suffix]
    return writer(profile, path, lang)
