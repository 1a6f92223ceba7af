"""Reports for a leadership meeting: HTML (Jinja2), PDF (the same HTML through weasyprint with Noto CJK
fonts) and XLSX (openpyxl, one sheet per section plus a 说明 sheet). Builders take the document a service
returns, so the report, the web page and the JSON twin show the same numbers."""

from .region import REPORT_SUFFIXES, render_region_html, write_region_report

__all__ = ["REPORT_SUFFIXES", "render_region_html", "write_region_report"]
