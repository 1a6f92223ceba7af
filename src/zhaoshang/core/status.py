"""Registry statuses (登记状态) as the registries and the imported lists write them, and their English — one
vocabulary for the pages, the CLI and the reports (``interfaces/labels.py``, vocabulary ``ent_status``) and for
the exports the services write (``services/enterprises.py``). A status not listed is shown as written."""

from __future__ import annotations

STATUS_EN: dict[str, str] = {
    # the registries' (登记库, 企业信用信息公示)
    "尚未成立": "not yet founded", "存续": "active", "在业": "in business", "开业": "in business",
    "吊销": "licence revoked", "注销": "deregistered", "迁出": "moved out", "停业": "suspended",
    "清算": "in liquidation", "撤销": "cancelled",
    # the stock exchanges' (a listed company's listing ended)
    "退市": "delisted", "终止上市": "delisted", "暂停上市": "listing suspended",
    # the venture lists' (IT桔子: 运营状态)
    "运营中": "operating", "已关闭": "closed", "已转型": "changed business", "未上线": "not launched",
}


def status_label_sql(col: str, lang: str) -> str:
    """SQL of a status column shown in the UI language: English from ``STATUS_EN``, a status not listed as written."""
    if lang != "en":
        return col
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUS_EN.items())
    return f"CASE {col} {cases} ELSE {col} END"
