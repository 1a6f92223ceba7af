"""The README's 招商线索 screenshot (docs/img/leads.png): 成都 on the demo, ranked by learned weights the team saved.

    zhaoshang --db demo.duckdb leads-fit 北京 上海 广东 浙江 江苏 --as-of 2025-12-31 --horizon 730 --save
    python scripts/screenshot_leads.py demo.duckdb docs/img/leads.png
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from web_util import ARGS, CHROMIUM, serving  # noqa: E402


def main(db: str, out: str, version: str = "leads-learned-2025-12-31-h730") -> None:
    from playwright.sync_api import sync_playwright

    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page(viewport={"width": 1440, "height": 900})
        pg.goto(base + "/leads?region=510100")
        pg.select_option("#f-weights", version)
        pg.click("#leads-apply")
        pg.wait_for_selector("#leads-table")
        pg.locator("#leads-table tbody tr.lead-row").nth(0).locator("summary").click()
        pg.wait_for_timeout(500)
        pg.screenshot(path=out)
        b.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
