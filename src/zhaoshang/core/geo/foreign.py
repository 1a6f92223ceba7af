"""Foreign places the region parser recognises: continents, countries and a few well-known cities.

Only used to *flag* a location as foreign (with an ISO 3166-1 alpha-2 code when the country is known);
nothing here is mapped to Chinese region codes. 香港, 澳门 and 台湾 are Chinese regions, not foreign.
"""

from __future__ import annotations

# Continent names (Chinese): a location that starts with one is foreign, country unknown unless named.
CONTINENTS_ZH = ("北美洲", "南美洲", "拉丁美洲", "欧洲", "亚洲", "非洲", "大洋洲", "北美", "南美", "中东", "东南亚", "海外", "国外", "境外")

# ISO code → Chinese names (first is the usual one).
COUNTRIES_ZH: dict[str, tuple[str, ...]] = {
    "US": ("美国", "美利坚合众国"),
    "JP": ("日本",),
    "KR": ("韩国", "南韩"),
    "SG": ("新加坡",),
    "GB": ("英国", "英格兰", "苏格兰"),
    "DE": ("德国",),
    "FR": ("法国",),
    "CA": ("加拿大",),
    "AU": ("澳大利亚", "澳洲"),
    "NZ": ("新西兰",),
    "IL": ("以色列",),
    "IN": ("印度",),
    "RU": ("俄罗斯",),
    "CH": ("瑞士",),
    "SE": ("瑞典",),
    "NL": ("荷兰",),
    "FI": ("芬兰",),
    "DK": ("丹麦",),
    "NO": ("挪威",),
    "IT": ("意大利",),
    "ES": ("西班牙",),
    "BE": ("比利时",),
    "AT": ("奥地利",),
    "IE": ("爱尔兰",),
    "MY": ("马来西亚",),
    "TH": ("泰国",),
    "VN": ("越南",),
    "ID": ("印度尼西亚", "印尼"),
    "PH": ("菲律宾",),
    "AE": ("阿联酋", "阿拉伯联合酋长国"),
    "SA": ("沙特阿拉伯", "沙特"),
    "BR": ("巴西",),
    "MX": ("墨西哥",),
    "ZA": ("南非",),
    "EG": ("埃及",),
    "TR": ("土耳其",),
    "PK": ("巴基斯坦",),
    "KZ": ("哈萨克斯坦",),
    "LU": ("卢森堡",),
}

# Well-known foreign cities (Chinese) → ISO code.
CITIES_ZH: dict[str, str] = {
    "硅谷": "US", "纽约": "US", "旧金山": "US", "洛杉矶": "US", "西雅图": "US", "波士顿": "US", "芝加哥": "US",
    "圣何塞": "US", "帕罗奥图": "US", "华盛顿": "US",
    "东京": "JP", "大阪": "JP", "京都": "JP", "首尔": "KR", "伦敦": "GB", "剑桥": "GB", "巴黎": "FR",
    "柏林": "DE", "慕尼黑": "DE", "多伦多": "CA", "温哥华": "CA", "蒙特利尔": "CA", "悉尼": "AU", "墨尔本": "AU",
    "特拉维夫": "IL", "班加罗尔": "IN", "莫斯科": "RU", "苏黎世": "CH", "斯德哥尔摩": "SE", "阿姆斯特丹": "NL",
    "迪拜": "AE", "吉隆坡": "MY", "曼谷": "TH",
}

# English (lower-case, spaces removed) → ISO code.
COUNTRIES_EN: dict[str, str] = {
    "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "unitedstates": "US", "unitedstatesofamerica": "US",
    "america": "US", "japan": "JP", "korea": "KR", "southkorea": "KR", "republicofkorea": "KR", "singapore": "SG",
    "uk": "GB", "unitedkingdom": "GB", "england": "GB", "scotland": "GB", "greatbritain": "GB", "britain": "GB",
    "germany": "DE", "france": "FR", "canada": "CA", "australia": "AU", "newzealand": "NZ", "israel": "IL",
    "india": "IN", "russia": "RU", "switzerland": "CH", "sweden": "SE", "netherlands": "NL", "finland": "FI",
    "denmark": "DK", "norway": "NO", "italy": "IT", "spain": "ES", "belgium": "BE", "austria": "AT",
    "ireland": "IE", "malaysia": "MY", "thailand": "TH", "vietnam": "VN", "indonesia": "ID",
    "philippines": "PH", "uae": "AE", "unitedarabemirates": "AE", "saudiarabia": "SA", "brazil": "BR",
    "mexico": "MX", "southafrica": "ZA", "egypt": "EG", "turkey": "TR", "luxembourg": "LU",
    # cities
    "siliconvalley": "US", "newyork": "US", "sanfrancisco": "US", "losangeles": "US", "seattle": "US",
    "boston": "US", "chicago": "US", "paloalto": "US", "sanjose": "US", "mountainview": "US",
    "tokyo": "JP", "osaka": "JP", "seoul": "KR", "london": "GB", "paris": "FR", "berlin": "DE", "munich": "DE",
    "toronto": "CA", "vancouver": "CA", "montreal": "CA", "sydney": "AU", "melbourne": "AU", "telaviv": "IL",
    "bangalore": "IN", "bengaluru": "IN", "moscow": "RU", "zurich": "CH", "stockholm": "SE", "amsterdam": "NL",
    "dubai": "AE", "kualalumpur": "MY", "bangkok": "TH",
}

# English words that name China itself.
CHINA_EN = {"china", "cn", "prc", "chn", "mainlandchina", "peoplesrepublicofchina", "thepeoplesrepublicofchina"}


def zh_table() -> dict[str, str | None]:
    """Chinese foreign name → ISO code (None for a continent)."""
    out: dict[str, str | None] = {n: None for n in CONTINENTS_ZH}
    for iso, names in COUNTRIES_ZH.items():
        for n in names:
            out[n] = iso
    out.update(CITIES_ZH)
    return out
