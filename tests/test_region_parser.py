"""Free-text region parsing: tricky unit cases, then every location string of the real files."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from zhaoshang.core.geo.parser import RegionMatch, RegionParser


@pytest.fixture(scope="module")
def p() -> RegionParser:
    return RegionParser.default()


def codes(m: RegionMatch) -> tuple:
    return (m.province_code, m.city_code, m.district_code)


@pytest.mark.parametrize("text, expected", [
    ("浙江杭州", ("330000", "330100", None)),
    ("浙江省杭州市", ("330000", "330100", None)),
    ("陕西-西安", ("610000", "610100", None)),
    ("山西太原", ("140000", "140100", None)),
    ("北京-海淀区", ("110000", "110100", "110108")),
    ("杭州余杭", ("330000", "330100", "330110")),
    ("余杭区", ("330000", "330100", "330110")),
    ("海淀", ("110000", "110100", "110108")),
    ("北京市海淀区中关村大街1号", ("110000", "110100", "110108")),
    ("浙江省杭州市余杭区文一西路969号", ("330000", "330100", "330110")),
    ("杭州市西湖区文三路90号", ("330000", "330100", "330106")),
    ("上海 杨浦", ("310000", "310100", "310110")),
    ("广东深圳", ("440000", "440300", None)),
    ("深圳市南山区", ("440000", "440300", "440305")),
    ("北京", ("110000", "110100", None)),
    ("重庆市巫溪县", ("500000", "500100", "500238")),
    ("湖北仙桃", ("420000", "429004", "429004")),
    ("内蒙古包头", ("150000", "150200", None)),
    ("内蒙古自治区鄂尔多斯市伊金霍洛旗", ("150000", "150600", "150627")),
    ("新疆维吾尔自治区伊犁哈萨克自治州伊宁市", ("650000", "654000", "654002")),
    ("延边州", ("220000", "222400", None)),
    ("香港", ("810000", None, None)),
    ("中国香港", ("810000", None, None)),
    ("香港-沙田区", ("810000", "810016", "810016")),  # a SAR's district: its own city-level unit
    ("香港北区", ("810000", "810013", "810013")),
    ("澳门大堂区", ("820000", "820004", "820004")),
    ("攀枝花市东区", ("510000", "510400", "510402")),
    ("东江湾路444号南区106室", (None, None, None)),  # a park's 南区, no district of Hong Kong's
    ("池北区(火车站南侧)", (None, None, None)),
    ("台湾", ("710000", None, None)),
    ("台湾省台北市", ("710000", None, None)),
    # former names map to successors
    ("下城区", ("330000", "330100", "330105")),
    ("杭州市江干区", ("330000", "330100", "330102")),
    ("临安市", ("330000", "330100", "330112")),
    ("上海-闸北区", ("310000", "310100", "310106")),
    ("大同市城区", ("140000", "140200", "140213")),
    ("临平区", ("330000", "330100", "330113")),
    ("钱塘区", ("330000", "330100", "330114")),
    # ambiguous names: only context decides; never a guess
    ("鼓楼区", (None, None, None)),
    ("南京鼓楼区", ("320000", "320100", "320106")),
    ("福州市鼓楼区", ("350000", "350100", "350102")),
    ("江苏鼓楼区", ("320000", None, None)),
    ("朝阳区", (None, None, None)),
    ("北京朝阳区", ("110000", "110100", "110105")),
    ("长春市朝阳区", ("220000", "220100", "220104")),
    ("朝阳", ("210000", "211300", None)),  # a city name outranks district short names
    ("吉林", ("220000", None, None)),
    ("吉林市", ("220000", "220200", None)),
    ("吉林长春", ("220000", "220100", None)),
    ("海南", ("460000", None, None)),
    ("青海海南", ("630000", "632500", None)),
    # street names are not regions
    ("中山路88号", (None, None, None)),
    ("南京市中山北路1号", ("320000", "320100", None)),
    # development zones (statistical codes)
    ("苏州工业园区星湖街328号", ("320000", "320500", "320576")),
    ("安徽省合肥市高新区望江西路", ("340000", "340100", "340176")),
    ("高新区", (None, None, None)),
    # codes
    ("330106", ("330000", "330100", "330106")),
    ("330185", ("330000", "330100", "330112")),
    # English
    ("Hangzhou", ("330000", "330100", None)),
    ("Beijing, China", ("110000", "110100", None)),
    ("Shenzhen, Guangdong", ("440000", "440300", None)),
    ("Xi'an", ("610000", "610100", None)),
    ("Shaanxi", ("610000", None, None)),
    ("Shanxi", ("140000", None, None)),
    ("Inner Mongolia", ("150000", None, None)),
    ("Tibet", ("540000", None, None)),
    ("Hong Kong", ("810000", None, None)),
    ("Haidian District, Beijing", ("110000", "110100", "110108")),
    ("Room 1, Tower A, Chaoyang District, Beijing", ("110000", "110100", "110105")),
    ("Chaoyang, Changchun", ("220000", "220100", "220104")),
    # a SAR's district or parish by its English name, with the SAR: the word District / Parish as written or not
    ("Wan Chai District, Hong Kong", ("810000", "810002", "810002")),
    ("Eastern, Hong Kong", ("810000", "810003", "810003")),
    ("St. Lazarus Parish, Macau", ("820000", "820003", "820003")),
    ("Eastern", (None, None, None)),  # without it a word of any address (North Tower) names no district of Hong Kong
    ("河北雄安新区", ("130000", "130600", None)),
    ("福建省平潭综合实验区", ("350000", "350100", "350128")),
    ("长安街1号", (None, None, None)),
    ("Suzhou", (None, None, None)),  # 苏州 or 宿州
    ("Suzhou, Jiangsu", ("320000", "320500", None)),
])
def test_parse(p, text, expected):
    m = p.parse(text)
    assert codes(m) == expected, m
    if expected[0]:
        assert m.country == "CN" and not m.foreign and 0 < m.confidence <= 1 and m.matched
    else:
        assert m.confidence <= 0.3


@pytest.mark.parametrize("text, country", [
    ("北美洲-美国", "US"), ("美国", "US"), ("日本东京", "JP"), ("亚洲-以色列", "IL"), ("欧洲-英国", "GB"),
    ("USA", "US"), ("Singapore", "SG"), ("San Francisco, USA", "US"), ("Tokyo", "JP"), ("北美洲", None),
])
def test_foreign(p, text, country):
    m = p.parse(text)
    assert m.foreign and m.country == country and codes(m) == (None, None, None), m


def test_confidence_orders_evidence(p):
    full = p.parse("浙江省杭州市余杭区")
    bare_short = p.parse("海淀")
    ambiguous = p.parse("江苏鼓楼区")
    assert full.confidence == 1.0
    assert full.confidence > bare_short.confidence > ambiguous.confidence > 0
    assert p.parse("").confidence == 0 and p.parse(None) == RegionMatch()


def test_resolve_structured(p):
    assert codes(p.resolve(province="北京", district="海淀")) == ("110000", "110100", "110108")
    assert codes(p.resolve(province="北京市", city="北京市", district="朝阳")) == ("110000", "110100", "110105")
    assert codes(p.resolve(province="辽宁", district="朝阳")) == ("210000", "211300", None)
    assert codes(p.resolve(province="33", city="3301", district="330110")) == ("330000", "330100", "330110")
    assert codes(p.resolve(province="浙江", city="杭州", district="临安市")) == ("330000", "330100", "330112")
    # a district that does not belong to the given province is not used; the address still is
    m = p.resolve(province="浙江", district="海淀", address="杭州市西湖区文三路")
    assert codes(m) == ("330000", "330100", "330106")
    m = p.resolve(province="江苏", district="鼓楼")
    assert codes(m) == ("320000", None, None)
    assert codes(p.resolve(province="江苏", city="徐州", district="鼓楼")) == ("320000", "320300", "320302")
    assert codes(p.resolve(district="石家庄", address="河北省石家庄市深泽县深定路东侧")) == ("130000", "130100", "130128")
    assert codes(p.resolve(address="上海市虹口区四平路710号")) == ("310000", "310100", "310109")
    assert p.resolve(province="美国").foreign
    assert p.resolve() == RegionMatch()


def test_parse_many_and_cache(p):
    texts = ["浙江杭州", "北京-海淀区", "浙江杭州", None, "美国"]
    out = p.parse_many(texts)
    assert [m.code for m in out] == ["330100", "110108", "330100", None, None]
    assert out[0] is out[2]  # cached


def _rows(shared, rel):
    with open(shared(rel), encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_awesome_llms_locations(shared, p):
    rows = _rows(shared, "ai_companies/awesome_llms_in_china_2024-11.csv")
    res = [p.parse(r["location_raw"]) for r in rows]
    parsed = [m for m in res if m.province_code or m.foreign]
    assert len(rows) == 247
    assert len(parsed) / len(rows) >= 0.98
    got = {r["location_raw"]: codes(m) for r, m in zip(rows, res)}
    assert got["浙江杭州"] == ("330000", "330100", None)
    assert got["香港"] == ("810000", None, None)
    assert got["太原"] == ("140000", "140100", None)


def test_itjuzi_locations(shared, p):
    rows = _rows(shared, "ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    foreign_rows = mainland = agree = 0
    unparsed = []
    for r in rows:
        m = p.parse(r["location_raw"])
        l1 = r["location_l1"]
        if l1.endswith("洲"):
            foreign_rows += 1
            assert m.foreign and m.country, r["location_raw"]
            continue
        if not m.province_code:
            unparsed.append(r["location_raw"])
            continue
        if l1 not in ("香港", "澳门", "台湾"):
            mainland += 1
            agree += p.parse(l1).province_code == m.province_code
    print(f"itjuzi: {len(rows)} rows, mainland {mainland}, province agrees {agree}, foreign {foreign_rows}, "
          f"unparsed {Counter(unparsed).most_common(5)}")
    assert foreign_rows == 31
    assert not unparsed
    assert mainland >= 780 and agree == mainland


def test_a_share_registered_address(shared, p):
    rows = [r for r in _rows(shared, "listed_companies/a_share_companies_merged.csv") if r["registered_address"]]
    n_prov = prov_ok = n_city = city_ok = n_dist = dist_ok = 0
    for r in rows:
        m = p.parse(r["registered_address"])
        if r["province_code"]:
            n_prov += 1
            prov_ok += (m.province_code or "")[:2] == r["province_code"]
        if r["city_code"]:
            n_city += 1
            cc = r["city_code"]  # 4 digits, or 6 for province-administered county-level cities
            city_ok += (m.city_code or "")[:len(cc)] == cc
        if r["district_code"]:
            n_dist += 1
            dist_ok += m.district_code == r["district_code"]
    print(f"A-share registered addresses: {len(rows)}; province {prov_ok}/{n_prov}, "
          f"city {city_ok}/{n_city}, district {dist_ok}/{n_dist}")
    assert n_prov > 3000
    assert prov_ok / n_prov >= 0.97
    assert city_ok / n_city >= 0.97
    assert dist_ok / n_dist >= 0.95


def test_enterprise_registration_sample(shared, p):
    rows = _rows(shared, "enterprises/enterprise_registration_sample_2000_2004.csv")
    res = [p.resolve(province=r["所在省份"], district=r["地区_区县"], address=r["注册地址"]) for r in rows]
    prov = sum(m.province_code is not None for m in res) / len(rows)
    dist = sum(m.district_code is not None for m in res) / len(rows)
    print(f"registration sample: {len(rows)} rows, province {prov:.2%}, district {dist:.2%}")
    assert prov >= 0.95
    assert dist >= 0.7
    # where the file names the province, we agree with it
    named = [(r, m) for r, m in zip(rows, res) if r["所在省份"]]
    ok = sum(p.parse(r["所在省份"]).province_code == m.province_code for r, m in named)
    assert ok == len(named)


# -- evidence order: an explicit province/city outranks a bare district name; the credit code's division code --

@pytest.mark.parametrize("cols, expected", [
    # a district column holding 朝阳 and an address naming Beijing: Beijing's 朝阳区, not 辽宁朝阳
    ({"district": "朝阳", "address": "北京市朝阳区朝外大街乙6号"}, ("110000", "110100", "110105")),
    # 河北 in a district column is Tianjin's 河北区 (a district column never names a province)
    ({"district": "河北", "address": "天津市河北区建昌道街育红路9号"}, ("120000", "120100", "120105")),
    ({"district": "河北", "address": "河北区马庄大街慕贤里旁"}, ("120000", "120100", "120105")),
    # 海南 in a district column is 青海's 海南藏族自治州, not 海南省
    ({"district": "海南", "address": "贵德县河阴镇北大街1号"}, ("630000", "632500", "632523")),
    ({"province": "青海", "district": "海南", "address": "青海省兴海县文化街1号"}, ("630000", "632500", "632524")),
    # 重庆市双桥经开区: Chongqing, never 河北承德's 双桥区
    ({"district": "双桥", "address": "重庆市双桥经开区四方村三社双珠路旁"}, ("500000", "500100", None)),
    # 大路 is a street: 朝阳区西安大路 is not in 西安
    ({"address": "朝阳区西安大路660号"}, ("220000", "220100", "220104")),
])
def test_explicit_place_outranks_bare_district(p, cols, expected):
    division = {"朝阳区西安大路660号": "220104"}.get(cols.get("address"))
    assert codes(p.resolve(**cols, division=division)) == expected


def test_credit_code_division_is_evidence(p):
    # absent text: the division code alone
    m = p.resolve(division="330106")
    assert codes(m) == ("330000", "330100", "330106") and not m.division_conflict
    # ambiguous text (朝阳区 of Beijing or Changchun) settled by the code; a former code maps to its successor
    assert codes(p.resolve(address="朝阳区双营路11号", division="110105")) == ("110000", "110100", "110105")
    assert codes(p.resolve(district="双桥", address="重庆市双桥经开区四方村三社", division="500111"))[2] == "500111"
    # a text that names its place is kept when the code disagrees (the enterprise moved), and flagged
    m = p.resolve(address="北京市海淀区中关村大街1号", division="120105")
    assert codes(m) == ("110000", "110100", "110108") and m.division_conflict and m.named
    # a bare district name of another province gives way to the code, flagged
    m = p.resolve(district="朝阳", division="110105")
    assert codes(m) == ("110000", "110100", "110105") and m.division_conflict
    # agreeing evidence is not flagged; an unknown division code is no evidence
    assert not p.resolve(address="北京市朝阳区", division="110105").division_conflict
    assert codes(p.resolve(address="北京市朝阳区", division="999999")) == ("110000", "110100", "110105")


@pytest.mark.parametrize("cols, division, expected, flagged", [
    # 洋浦经济开发区 lies in 儋州市; its 460300 codes are older than 三沙市, which holds that code now: flagged
    ({"district": "洋浦经济开发区", "address": "洋浦新英湾安置区B幢503C房"}, "460300", ("460000", "460400", None), True),
    ({"address": "海南省洋浦经济开发区新英湾龙苑小区9栋201房"}, "460300", ("460000", "460400", None), True),
    # 沣东新城 (西咸新区, across 西安 and 咸阳) holds no 新城区
    ({"province": "陕西", "district": "西咸新区", "address": "陕西省西咸新区沣东新城蔺高村村口99号"}, "610000",
     ("610000", None, None), False),
    ({"district": "西安", "address": "陕西省西安市沣东新城疏导路58号"}, "611100", ("610000", "610100", None), False),
    ({"address": "陕西省西安市高新区软件新城天谷八路"}, None, ("610000", "610100", None), False),
    ({"address": "陕西省西安市新城区长乐中路111号"}, None, ("610000", "610100", "610102"), False),
    # the address's own district beats the credit code's within its city (河东区: 天津 or 临沂; the code says 天津)
    ({"district": "河东", "address": "河东区十一经路81号"}, "120101", ("120000", "120100", "120102"), True),
    # 杭州湾 is a bay, not 杭州: 上虞 (绍兴) is the district, as the code and the district column say
    ({"district": "绍兴", "address": "杭州湾上虞经济技术开发区纬五路3号"}, "330600", ("330000", "330600", "330604"), False),
    # a forestry bureau is a place in its county (苇河林业局: 尚志市); 东风林场 is no 东风区
    ({"district": "哈尔滨", "address": "黑龙江省苇河林业局东风林场"}, "230183", ("230000", "230100", "230183"), False),
    ({"address": "黑龙江省东风林场"}, None, ("230000", None, None), False),
    # 东区 is 攀枝花's district, also before 弄 (弄弄坪 is a place, not a lane)
    ({"address": "四川省攀枝花市东区弄弄坪"}, None, ("510000", "510400", "510402"), False),
])
def test_named_places_and_whole_names(p, cols, division, expected, flagged):
    m = p.resolve(**cols, division=division)
    assert (codes(m), m.division_conflict) == (expected, flagged)


@pytest.mark.parametrize("text, expected", [
    ("安徽省合肥市高新开发区望江西路666号", "340176"),          # 高新区, not 经开区
    ("安徽省合肥市高新区望江西路666号", "340176"),
    ("合肥市高新技术产业开发区望江西路666号", "340176"),
    ("合肥市经济技术开发区紫云路", "340177"),
    ("合肥经开区紫云路", "340177"),
])
def test_high_tech_zone_is_not_economic_zone(p, text, expected):
    assert p.parse(text).district_code == expected


def test_unlisted_high_tech_zone_is_not_the_economic_zone(p):
    """A 高新开发区 the statistical list lacks stays at city level rather than becoming the city's 经开区."""
    zones = {r.city_code for r in p.regions.values() if r.zone and r.name.endswith("经济技术开发区")}
    hi = {r.city_code for r in p.regions.values() if r.zone and "高新" in r.name}
    city = sorted(zones - hi)[0]
    name = p.regions[city].name
    m = p.parse(f"{name}高新开发区创新路1号")
    assert m.city_code == city and (m.district_code is None or not p.regions[m.district_code].zone)


def test_registration_sample_agrees_with_credit_codes(shared, p):
    """Rows whose province differs from the division code inside their own credit code (chars 3–8)."""
    rows = _rows(shared, "enterprises/enterprise_registration_sample_2000_2004.csv")
    res = [p.resolve(province=r["所在省份"], district=r["地区_区县"], address=r["注册地址"],
                     division=r["统一社会信用代码"][2:8]) for r in rows]
    located = [(r, m) for r, m in zip(rows, res) if m.province_code]
    disagree = [(r["企业名称"], m.province_code) for r, m in located
                if m.province_code[:2] != r["统一社会信用代码"][2:4]]
    print(f"registration sample: {len(located)} located, {len(disagree)} disagree with their credit code: {disagree}")
    assert len(located) >= 11_740 and len(disagree) <= 3  # 61 of 11,730 before the evidence order
    assert all(m.division_conflict for r, m in located if m.province_code[:2] != r["统一社会信用代码"][2:4])


def test_import_uses_evidence_order_and_credit_code(shared, tmp_path):
    """The importer reads regions the same way: the named rows of the registration sample, imported."""
    from cli_util import run_json
    from zhaoshang.core.store import Store

    src = shared("enterprises/enterprise_registration_sample_2000_2004.csv")
    with open(src, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    want = {"911101057214059484": "110105",   # 北京市朝阳区… with district 朝阳 (was 辽宁朝阳县)
            "91120105724452459K": "120105",   # 天津市河北区… with district 河北 (was 河北省)
            "916325237105452406": "632523",   # 贵德县… with district 海南 (was 海南省)
            "9150011174745860X2": "500111",   # 重庆市双桥经开区… (was 河北承德双桥区); district from the code
            # district column 广州/沈阳 (a city): the address's district, not the credit code's 越秀区/沈河区
            "91440104724826027H": "440106",   # 广州市天河区…
            "912101037196442534": "210106"}   # 辽宁省沈阳市铁西区…
    hainan = "91469028760361845K"  # 临城镇… (a bare 临城 matched 河北临城县): the code's province, 海南
    picked = [r for r in rows if r["统一社会信用代码"] in want or r["统一社会信用代码"] == hainan]
    assert len(picked) == len(want) + 1
    f = tmp_path / "reg.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(picked)
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "enterprises", f, db=db)
    # the 临城 row (text and credit code disagree on the province) and the two districts the address names
    assert rep["region_conflicts"] == 3
    with Store(db, read_only=True) as s:
        got = dict(s.con.execute("SELECT uscc, district_code FROM enterprises").fetchall())
        prov = s.con.execute("SELECT province_code FROM enterprises WHERE uscc = ?", [hainan]).fetchall()
    assert {k: got[k] for k in want} == want and prov == [("460000",)]


def test_a_share_high_tech_zone_addresses_never_in_economic_zones(shared, p):
    """Registered addresses in a 高新区 (科大讯飞's 合肥市高新开发区 among them) are never placed in a 经开区."""
    rows = [r for r in _rows(shared, "listed_companies/a_share_companies_merged.csv") if "高新" in r["registered_address"]]
    wrong = []
    for r in rows:
        z = p.regions.get(p.parse(r["registered_address"]).district_code)
        if z is not None and z.zone and "经济" in z.name:
            wrong.append((r["short_name"], z.name))
    assert len(rows) > 300 and wrong == []  # 9 of 339 before
    xf = next(r for r in rows if r["short_name"] == "科大讯飞")
    assert p.parse(xf["registered_address"]).district_code == "340176"  # 合肥高新技术产业开发区


@pytest.mark.parametrize("cols, expected", [
    # the city's name repeated after the city names no district, not even the former county of that name
    ({"province": "安徽", "city": "芜湖市", "address": "中国(安徽)自由贸易试验区芜湖片区银湖北路22号", "text": "华东"},
     ("340000", "340200", None)),
    ({"province": "江西", "city": "上饶市", "address": "江西省上饶经济技术开发区江家大道51号", "text": "华东"},
     ("360000", "361100", None)),
    ({"province": "山西", "city": "大同市", "address": "山西省大同经济技术开发区生物科技创新产业园翠微街2号"},
     ("140000", "140200", None)),
    ({"address": "山西省长治市长治高新技术产业开发区捉马西大街"}, ("140000", "140400", None)),
    ({"address": "芜湖市高新技术产业开发区漳河路17号", "text": "安徽-芜湖"}, ("340000", "340200", None)),
    ({"address": "湖南省长沙经济技术开发区人民东路217号"}, ("430000", "430100", None)),
    # the county's own name still names it
    ({"address": "湖南省长沙市长沙县星沙街道"}, ("430000", "430100", "430121")),
    ({"address": "湖南长沙长沙县"}, ("430000", "430100", "430121")),
    ({"address": "安徽省芜湖市芜湖县湾沚镇"}, ("340000", "340200", "340210")),
])
def test_city_name_repeated_is_no_district(p, cols, expected):
    assert codes(p.resolve(**cols)) == expected


def test_listed_addresses_repeating_their_city_get_no_district(shared, p):
    """SZSE list rows (楚江新材, 中电鑫龙, 瑞鹄模具, 长信科技, 耐普矿机, 福事特, 艾芬达, 金利华电, 仟源医药) and the
    IT桔子 row of 罗伯特: no address names a district, and the merged A-share table gives none."""
    szse = {r["A股代码"]: r for r in _rows(shared, "listed_companies/szse_a_share_list_2026-01.csv")}
    merged = {r["code"]: r for r in _rows(shared, "listed_companies/a_share_companies_merged.csv")}
    codes_ = ["002171", "002298", "002997", "300088", "300818", "301446", "301575", "300069", "300254"]
    for code in codes_:
        r = szse[code]
        m = p.resolve(province=r["省份"], city=r["城市"], address=r["注册地址"])
        assert m.city_code and m.district_code is None, (code, r["注册地址"], m)
        assert merged[code]["district"] == ""
    itj = next(r for r in _rows(shared, "ai_companies/itjuzi_china_ai_companies_2018-12.csv")
               if r["legal_name"] == "安徽罗伯特科技股份有限公司")
    m = p.resolve(address=itj["address"], text=itj["location_raw"])
    assert codes(m) == ("340000", "340200", None), m
    # over the whole merged table, the district agrees with its district column more often (5,139 rows before)
    agree = 0
    for r in merged.values():
        m = p.resolve(province=r["province"], city=r["city"], district=r["district"], address=r["registered_address"],
                      division=r["uscc"][2:8] if len(r["uscc"]) == 18 else None)
        agree += (p.regions[m.district_code].name if m.district_code else "") == r["district"]
    assert agree >= 5176


def test_parser_keeps_the_text_when_the_address_province_is_a_slip(p):
    """An address and a region text naming different places: the address is kept unless its province
    contradicts both the text and the city it names itself; which one was not followed is said."""
    m = p.resolve(address="湖南省武汉市东湖新技术开发区光谷大道3号", text="湖北-武汉")
    assert codes(m)[:2] == ("420000", "420100") and m.text_conflict == "address"
    m = p.resolve(address="北京市朝阳区望京SOHO塔三A座23层", text="广东-深圳")
    assert codes(m) == ("110000", "110100", "110105") and m.text_conflict == "text"
    # agreeing evidence, or a text that is no place, is no conflict
    assert p.resolve(address="深圳市南山区科技园", text="广东-深圳").text_conflict is None
    assert p.resolve(address="北京市海淀区中关村大街1号", text="华北").text_conflict is None
    assert p.resolve(address="湖南省长沙市岳麓区", text="美国").text_conflict is None


# prefecture-level renames since 2000 (data/region_overrides.yaml): former name → (province, successor)
FORMER_CITIES = {"襄樊市": ("湖北省", "420600"), "思茅市": ("云南省", "530800"), "铜仁地区": ("贵州省", "520600"),
                 "毕节地区": ("贵州省", "520500"), "日喀则地区": ("西藏自治区", "540200"), "昌都地区": ("西藏自治区", "540300"),
                 "林芝地区": ("西藏自治区", "540400"), "山南地区": ("西藏自治区", "540500"),
                 "海东地区": ("青海省", "630200"), "吐鲁番地区": ("新疆维吾尔自治区", "650400"),
                 "哈密地区": ("新疆维吾尔自治区", "650500")}


def test_a_former_city_name_alone_is_its_successor(p, tmp_path):
    """襄樊市 (襄阳市 since 2010) with no district: an import row with province 湖北省 and city 襄樊市, or the address
    湖北省襄樊市 alone, is in 襄阳市 (420600) as the row with 樊城区 was — it was stored as 湖北省 only, and said
    nowhere; the lookups take 襄樊 and 襄樊市 as 襄阳市 (recommend 襄樊: 未找到地区 襄樊). The same for 思茅市 (普洱市 since
    2007: it was read as the district 思茅区) and the 地区 made 市 since 2011 (铜仁地区 → 铜仁市 …: the row was left in
    its province, the lookup said 未找到地区); the successor keeps its coordinates. 思茅 alone stays the current
    district 思茅区 of 普洱市 in a lookup (a current name comes before a former one)."""
    from cli_util import run, run_json
    from zhaoshang.core.geo.lookup import resolve_region
    from zhaoshang.core.geo.regions import build_regions
    from zhaoshang.core.store import Store

    regions = {r.code: r for r in build_regions()}
    for old, (prov, succ) in FORMER_CITIES.items():
        assert codes(p.resolve(province=prov, city=old)) == (succ[:2] + "0000", succ, None), old
        assert codes(p.resolve(address=f"{prov}{old}人民路1号")) == (succ[:2] + "0000", succ, None), old
        assert regions[succ].lng is not None and regions[succ].lat is not None, old
    assert codes(p.resolve(province="云南省", city="思茅市", district="思茅区")) == ("530000", "530800", "530802")
    f = tmp_path / "e.csv"
    f.write_text("企业名称,成立日期,注册资本,所属省份,所属城市,所属区县,注册地址,经营范围\n"
                 "襄樊甲智能科技有限公司,2015-03-01,100万元,湖北省,襄樊市,,,人工智能软件开发\n"
                 "襄樊乙芯片有限公司,2016-03-01,200万元,,,,湖北省襄樊市,集成电路设计\n"
                 "襄樊丙机器人有限公司,2016-03-01,200万元,湖北省,襄樊市,樊城区,,机器人制造\n"
                 "思茅丁茶叶科技有限公司,2005-03-01,100万元,云南省,思茅市,,,软件开发\n"
                 "铜仁戊数据有限公司,2009-03-01,100万元,,,,贵州省铜仁地区碧江区1号,数据处理\n"
                 "哈密己能源有限公司,2012-03-01,100万元,新疆,哈密地区,,,储能\n", encoding="utf-8")
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "enterprises", f, "--data-date", "2025-11-30", db=db)
    assert rep["rows_imported"] == 6 and rep["rows_rejected"] == 0
    with Store(db, read_only=True) as s:
        got = s.con.execute("SELECT name, province_code, city_code, district_code FROM enterprises ORDER BY name").fetchall()
        assert got == [("哈密己能源有限公司", "650000", "650500", None), ("思茅丁茶叶科技有限公司", "530000", "530800", None),
                       ("襄樊丙机器人有限公司", "420000", "420600", "420606"), ("襄樊乙芯片有限公司", "420000", "420600", None),
                       ("襄樊甲智能科技有限公司", "420000", "420600", None),
                       ("铜仁戊数据有限公司", "520000", "520600", "520602")]
        assert [resolve_region(s, t).code for t in ("襄樊", "襄樊市", "湖北省襄樊市")] == ["420600"] * 3
        for old, (prov, succ) in FORMER_CITIES.items():
            assert resolve_region(s, old).code == succ and resolve_region(s, prov + old).code == succ, old
        assert resolve_region(s, "思茅").code == "530802"
    for name in ("襄樊", "铜仁地区"):
        out = run("recommend", name, db=db, check=False)
        assert "未找到地区" not in out.stderr, out.stderr
