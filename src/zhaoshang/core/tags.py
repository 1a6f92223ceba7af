"""Enterprise tags — qualifications and honours as registries and government lists write them (高新技术企业,
专精特新 …) — and their English, for every reader that shows a tag in English (the pages, the CLI, exports). The
stored tag stays as the source wrote it (filters match it); a tag not listed here is shown as written."""

from __future__ import annotations

TAG_LABELS_EN: dict[str, str] = {
    "高新技术企业": "high-tech enterprise", "国家高新技术企业": "national high-tech enterprise",
    "高新企业": "high-tech enterprise", "科技型中小企业": "tech-based SME",
    "专精特新": "specialised and innovative (SRDI)", "专精特新企业": "specialised and innovative (SRDI)",
    "专精特新中小企业": "specialised and innovative SME (SRDI)",
    "专精特新“小巨人”": "SRDI “little giant”", "专精特新小巨人": "SRDI “little giant”",
    "国家级专精特新“小巨人”": "national SRDI “little giant”", "小巨人": "“little giant”",
    "创新型中小企业": "innovative SME", "制造业单项冠军": "manufacturing single champion",
    "单项冠军": "single champion", "独角兽": "unicorn", "潜在独角兽": "potential unicorn",
    "准独角兽": "near-unicorn", "瞪羚": "gazelle", "瞪羚企业": "gazelle", "雏鹰企业": "fledgling enterprise",
    "标杆": "benchmark", "标杆企业": "benchmark enterprise", "龙头企业": "leading enterprise",
    "链主企业": "chain leader", "上市公司": "listed company", "上市": "listed", "新三板": "NEEQ-listed",
    "国有企业": "state-owned", "国企": "state-owned", "央企": "central state-owned", "外资企业": "foreign-invested",
    "外资": "foreign-invested", "企业技术中心": "enterprise technology centre",
    "省级企业技术中心": "provincial enterprise technology centre",
    "国家级企业技术中心": "national enterprise technology centre",
}


def tag_label(tag: str | None, lang: str = "zh") -> str:
    """A tag in the UI language: its English where listed, else as written."""
    t = str(tag or "")
    return TAG_LABELS_EN.get(t, t) if lang == "en" else t


def tag_label_sql(col: str, lang: str) -> str:
    """SQL of a list of tags shown in the UI language (``col`` a VARCHAR[]), elements mapped by ``tag_label``."""
    if lang != "en":
        return col
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in TAG_LABELS_EN.items())
    return f"list_transform({col}, lambda x: CASE x {cases} ELSE x END)"
