"""``zhaoshang alerts …`` run as the real console script: rules imported from YAML and added by options, run,
list, export (and re-import), the digest written as HTML, channels with the secret never echoed, user errors as
one line with exit code 2, English."""

from __future__ import annotations

import html as html_lib
import json
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
import alerts_fixture as AF  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from test_audit_times import shown_as  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return AF.copy(tmp_path_factory, "alerts_cli")


def test_rules_alerts_digest_from_the_command_line(db):
    path, info, d = db
    named = "  - name: 缺失环节大额融资\n"  # one rule with an English name, as the demo's rules have
    (d / "rules.yaml").write_text(AF.RULES_YAML.replace(named, named + "    name_en: Large rounds in missing links\n"),
                                  encoding="utf-8")
    from zhaoshang.core.store import Store
    from zhaoshang.core.teamstate import default_team_url, open_team_db
    from zhaoshang.services.pipeline import leads

    with Store(str(path), read_only=True) as store:  # a target in the pipeline (the pipeline's CLI has its own tests)
        leads.add(store, open_team_db(default_team_url(str(path))), str(info["target"]), "杭州市")
    saved = run_json("alerts", "rules", "import", str(d / "rules.yaml"), db=path)
    assert [r["name"] for r in saved] == list(AF.EXPECTED) and all(r["owner"] == "local" for r in saved)
    added = run_json("alerts", "rules", "add", "关注企业", "--enterprise", str(info["far"]), "--type", "news",
                     "--channel", "app", db=path)
    assert added["enterprises"][0]["id"] == info["far"] and added["types"] == ["news"]
    table = run("alerts", "rules", "list", db=path).stdout
    assert "杭州市的补链环节" in table and "金额 ≥ 10,000 万元" in table
    res = run_json("alerts", "run", db=path)
    assert len(res["alerts"]) == 6  # the five of the examples and the watched enterprise's news
    # a list the limit cuts says so, with how to see all, as the events' list does (it read 预警 4 条)
    for lang, head, note in (("zh", "预警：显示前 4 条，共 6 条", "只列出最新的 4 条；更早的 2 条未列出（--limit 6 列出全部）"),
                             ("en", "alerts: the first 4 of 6", "only the newest 4 are listed; 2 older alerts are not "
                                                                "(--limit 6 lists them all)")):
        cut = run("--lang", lang, "alerts", "list", "--limit", "4", db=path, env={"COLUMNS": "250"})
        assert head in cut.stdout and note in cut.stderr, (cut.stdout, cut.stderr)
    # in English each rule is named as the page names it: by its name_en where it has one (it showed the Chinese name)
    big = next(r["id"] for r in saved if r["name"] == "缺失环节大额融资")
    for args in (("alerts", "rules", "list"), ("alerts", "list", "--rule", str(big))):
        en = run("--lang", "en", *args, db=path, env={"COLUMNS": "250"}).stdout
        assert "Large rounds in missing links" in en and "缺失环节大额融资" not in en, en
    listed = run_json("alerts", "list", "--rule", str(added["id"]), db=path)
    assert [a["event_id"] for a in listed] == [info["events"]["far_bad_news"]]
    assert listed[0]["title"].startswith("新闻: ") and listed[0]["title_en"] == "news: " + listed[0]["title"][4:]
    # the digest: alerts of rules that deliver by e-mail (the funding and the key-person rules: 3)
    out = d / "digest.html"
    doc = run_json("alerts", "digest", "--output", str(out), db=path)
    assert doc["alerts"] == 3 and "预警日报" in doc["subject"]
    html = out.read_text(encoding="utf-8")
    assert "融资: B轮 2亿元" in html and "变更: legal_rep 张某 → 李某" in html and "新闻: 某公司首席技术官离职" in html
    # a change an export showed says that export's date (the event's own here: the export dated it) in the digest,
    # the list and its JSON, and the API, as the events' lists do; another event none
    assert "变更: legal_rep 张某 → 李某 · 见于 2024-03-09 的导出" in html
    rep = info["events"]["target_legal_rep"]
    assert {a["event_id"]: a["seen"] for a in run_json("alerts", "list", db=path) if a["seen"]} == {rep: "2024-03-09"}
    assert "李某 · 见于 2024-03-09 的导出" in run("alerts", "list", db=path, env={"COLUMNS": "250"}).stdout
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    with local_client(create_app(str(path))) as c:
        items = c.get("/api/alerts/items").json()["items"]
        assert {a["event_id"]: a["seen"] for a in items if a["seen"]} == {rep: "2024-03-09"}
        one = c.get(f"/api/alerts/items/{next(a['id'] for a in items if a['event_id'] == rep)}").json()
        assert one["seen"] == "2024-03-09" and "李某 · 见于 2024-03-09 的导出" in c.get("/alerts").text
    # read in a mail client: no link relative to nothing; with the team's address, links to the profiles there
    assert 'href="/' not in html
    linked = d / "digest-linked.html"
    run_json("alerts", "digest", "--output", str(linked), db=path,
             env={"ZHAOSHANG_PUBLIC_URL": "https://zs.bureau.example/"})
    assert html.count("<tr>") == linked.read_text(encoding="utf-8").count('href="https://zs.bureau.example/enterprises/') + 1
    # export: the rules as YAML (read back by import; round trip in test_alerts.py)
    exported = run("alerts", "rules", "export", db=path).stdout
    assert [r["name"] for r in yaml.safe_load(exported)["rules"]] == [*AF.EXPECTED, "关注企业"]
    # channels: the secret is kept and never printed
    ch = run_json("alerts", "channels", "--email", "ana@example.org", "--webhook", "http://127.0.0.1:9/hook",
                  "--secret", "s3cret-value", db=path)
    assert ch == {"owner": "local", "email": "ana@example.org", "webhook_url": "http://127.0.0.1:9/hook",
                  "webhook_secret_set": True, "lang": "zh"}
    # a loopback address is kept for a local server, with a word that a served team refuses it (a dead letter there)
    note = run("alerts", "channels", "--webhook", "http://127.0.0.1:9/hook", db=path).stderr
    assert "需要登录的服务器" in note and "死信" in note and "127.0.0.1" in note and "--allow-internal-webhooks" in note
    # sent now (no SMTP server here: the mail waits for a retry): the table speaks the command's language (it
    # printed delivery_id, to and sent {"sent":0,"retry":1,"dead":0}); once sent, nothing is left for English
    sent = run("alerts", "digest", "--send", db=path, env={"ZHAOSHANG_SMTP_HOST": ""})
    assert all(w in sent.stdout for w in ("收件人", "ana@example.org", "投递编号", "本次投递", "已发 0，待重试 1，死信 0"))
    assert "delivery_id" not in sent.stdout and "{" not in sent.stdout, sent.stdout
    from zhaoshang.interfaces.cli import alerts as alerts_cli
    from zhaoshang.interfaces.cli.app import state

    lang, state.lang = state.lang, "en"
    try:
        row = alerts_cli._digest_row({"subject": "s", "alerts": 1, "delivery_id": 7, "to": "a@b.example",
                                      "sent": {"sent": 1, "retry": 0, "dead": 0}})
    finally:
        state.lang = lang
    assert row == {"subject": "s", "alerts": 1, "delivery_id": 7, "recipient": "a@b.example",
                   "delivered": "sent 1, to retry 0, dead letters 0"}
    assert run_json("alerts", "rules", "remove", str(added["id"]), db=path)["name"] == "关注企业"
    # a removed rule's alerts stay listed by its number; a number that never was a rule is refused (below)
    assert [a["event_id"] for a in run_json("alerts", "list", "--rule", str(added["id"]), db=path)] == \
        [info["events"]["far_bad_news"]]


def test_an_english_alert_names_a_patent_by_its_number(tmp_path_factory):
    """An alert on a patent kept the patent's Chinese title in English (patent: 一种图像识别方法) where the events' list
    names it by its number: the list, the digest, the API and the pages in English name it as the events do; the
    alert's own page names its rule by its English name, as the list does (it showed the Chinese one)."""
    import re

    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, info, d = AF.copy(tmp_path_factory, "alerts_patent")
    (d / "patents.csv").write_text("公开号,专利名称,申请人,申请日\nCN118000001A,一种图像识别方法,{},2024-03-20\n".format(
        _name(path, info["far"])), encoding="utf-8")
    run("import", "patents", str(d / "patents.csv"), db=path)
    (d / "rule.yaml").write_text(f"rules:\n- name: 关注专利\n  name_en: Watched patents\n  types: [patent]\n"
                                 f"  enterprises: [{info['far']}]\n  channels: [email]\n", encoding="utf-8")
    run_json("alerts", "rules", "import", str(d / "rule.yaml"), db=path)
    [alert] = run_json("alerts", "run", "--since", "2024-03-20", db=path)["alerts"]
    event = next(e for e in run_json("events", "--type", "patent", "--enterprise", str(info["far"]), db=path)["items"]
                 if e["id"] == alert["event_id"])
    assert alert["title"] == "专利: 一种图像识别方法" and alert["title_en"] == event["title_en"] == "patent: CN118000001A"
    han = re.compile(r"[\u4e00-\u9fff]")
    name = alert["enterprise_name"]  # a proper name, kept as written; the rule by its English name
    table = run("--lang", "en", "alerts", "list", db=path, env={"COLUMNS": "250"}).stdout
    assert "CN118000001A" in table and not han.search(table.replace(name, "")), table
    run("--lang", "en", "alerts", "digest", "--output", str(d / "digest.html"), db=path)
    mail = (d / "digest.html").read_text(encoding="utf-8")
    assert "patent: CN118000001A" in mail and not han.search(mail.replace(name, "")), mail
    with local_client(create_app(str(path))) as c:
        [item] = c.get("/api/alerts/items?lang=en").json()["items"]
        page = c.get("/alerts?lang=en").text
        one = c.get(f"/alerts/{alert['id']}?lang=en").text  # the alert's own page named its rule in Chinese
    assert item["title_en"] == "patent: CN118000001A"
    row = page.split('id="al-feed"')[1].split("</table>")[0]
    assert "CN118000001A" in row and not han.search(row.replace(name, "")), row
    card = one.split('id="alert-card"')[1].split("</section>")[0]
    assert 'id="alert-title">CN118000001A<' in card and 'id="alert-rule">Watched patents (#' in card, card
    assert not han.search(card.replace(name, "")) and "Watched patents" in one.split("<h1")[1].split("</h1>")[0], card


def _name(path, eid: int) -> str:
    """An enterprise's name in the database at ``path``."""
    from zhaoshang.core.store import Store

    with Store(str(path), read_only=True) as store:
        return store.con.execute("SELECT name FROM enterprises WHERE id = ?", [eid]).fetchone()[0]


@pytest.mark.parametrize("args, message", [
    (("alerts", "rules", "add", "空规则"), "没有任何条件"),
    (("alerts", "rules", "remove", "999"), "没有这条规则"),
    (("alerts", "list", "--rule", "999"), "没有这条规则: #999"),
    (("alerts", "rules", "add", "负金额", "--type", "funding", "--region", "浙江", "--min-amount", "-5"),
     "融资金额下限应为 0 到 10,000,000,000 万元"),  # saved as 金额 ≥ -5 万元, it matched rounds with no amount disclosed
    (("alerts", "rules", "add", "情感", "--type", "news", "--max-sentiment", "5"), "情感上限应在 -1 到 1 之间: 5"),
    # a rule that could never fire: sentiment at most -0.5 and at least 0.5; 10^15 元
    (("alerts", "rules", "add", "不可能阈值", "--type", "news", "--max-sentiment", "-0.5", "--min-sentiment", "0.5"),
     "情感下限（0.5）高于情感上限（-0.5）"),
    (("alerts", "rules", "add", "不可能2", "--type", "funding", "--min-amount", "99999999999"),
     "融资金额下限应为 0 到 10,000,000,000 万元（100 万亿元）之间的金额: 99999999999 万元"),
    (("alerts", "rules", "add", "不可能3", "--type", "funding", "--min-amount", "5000万亿"),  # 万亿 read, too large
     "融资金额下限应为 0 到 10,000,000,000 万元（100 万亿元）之间的金额: 5000万亿"),
    (("alerts", "rules", "add", "不是金额", "--type", "funding", "--min-amount", "很多"),
     "融资金额下限应为金额（万元，或写明单位如 1亿）: 很多"),
])
def test_user_errors_are_one_line(db, args, message):
    path = db[0]
    proc = run(*args, db=path, check=False)
    assert proc.returncode == 2 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def _refused_import(path, f, text: str, message: str, *lang) -> None:
    """``alerts rules import`` of ``text`` is refused in one line naming ``message`` (exit 2), nothing saved."""
    before = run_json("alerts", "rules", "list", db=path)
    f.write_text(text, encoding="utf-8")
    proc = run(*lang, "alerts", "rules", "import", str(f), db=path, check=False)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and run_json("alerts", "rules", "list", db=path) == before


def test_import_refuses_a_negative_amount(db, tmp_path):
    """The rule file goes through the same check as `rules add`: nothing imported, one line, exit 2."""
    _refused_import(db[0], tmp_path / "rules.yaml", "rules:\n- name: 负金额\n  types: [funding]\n  min_amount_wan: -1\n",
                    "融资金额下限应为 0 到")


def test_english(db):
    path = db[0]
    proc = run("--lang", "en", "alerts", "rules", "add", "x", db=path, check=False)
    assert proc.returncode == 2 and "no condition" in proc.stderr


def test_since_re_reads_live_events_for_a_rule_saved_later(tmp_path_factory):
    """``alerts run --since DATE`` re-evaluates live events (feeds, POST /api/events) dated from DATE, not only
    imported ones: a rule saved after a news item arrived fires on it, once."""
    from zhaoshang.core.store import Store
    from zhaoshang.core.teamstate import default_team_url, open_team_db
    from zhaoshang.services.monitoring import bus
    from zhaoshang.services.monitoring import events as live

    path, info, _ = AF.copy(tmp_path_factory, "alerts_since_live")
    with Store(str(path), read_only=True) as store:
        live.ingest(store, open_team_db(default_team_url(str(path))), [
            {"enterprise_id": info["far"], "type": "expansion", "date": "2024-05-02", "title": "某公司新建生产基地",
             "source": "partner-api", "source_key": "late-1"}], bus=bus.EventBus())
    run_json("alerts", "run", db=path)  # the live event is read (no rule watches it yet): the cursor moves on
    rule = run_json("alerts", "rules", "add", "后来的规则", "--enterprise", str(info["far"]), db=path)
    assert run_json("alerts", "run", db=path)["alerts"] == []  # nothing new arrived
    got = run_json("alerts", "run", "--since", "2024-05-01", db=path)
    assert [(a["rule_id"], a["title"]) for a in got["alerts"]] == [(rule["id"], "某公司新建生产基地")]
    assert run_json("alerts", "run", "--since", "2024-05-01", db=path)["alerts"] == []  # once per rule and event
    assert run_json("alerts", "run", "--since", "2024-05-03", db=path)["events"] == 0  # dated before: not read
    # the alert's page says its source and how the rule combines in the page's language, the
    # table's name and the formula kept as the titles
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    with local_client(create_app(str(path))) as c:
        zh = c.get(f"/alerts/{got['alerts'][0]['id']}").text
        en = c.get(f"/alerts/{got['alerts'][0]['id']}?lang=en").text
    assert "实时事件</b>" in zh and 'title="monitor_events"' in zh and ">monitor_events<" not in zh
    assert "规则的每个条件都成立（且）" in zh and ">every condition" not in zh
    assert "live event</b>" in en and ">every condition of the rule holds (AND)" in en
    # its time in China's time under a header that says so, as every time shown (it read … UTC)
    made = got["alerts"][0]["created_at"]
    assert f"<th>产生时间 (UTC+8)</th><td>{shown_as(made)}</td>" in zh and " UTC<" not in zh
    assert f"<th>Raised at (UTC+8)</th><td>{shown_as(made)}</td>" in en


def test_a_large_amount_prints_in_full_never_in_e_notation(tmp_path_factory):
    """A threshold of 10^9 万元 is printed in full (1,000,000,000 万元, not 1e+09) by the CLI and on the /alerts page
    in both languages."""
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, _, _ = AF.copy(tmp_path_factory, "alerts_amount")
    run_json("alerts", "rules", "add", "大额", "--type", "funding", "--min-amount", "1000000000", db=path)
    # the command line reads an amount with its unit as the page and YAML do: 1亿 is 10000 万元, 5000万 is 5000
    assert run_json("alerts", "rules", "add", "亿元以上", "--type", "funding", "--min-amount", "1亿",
                    db=path)["min_amount_wan"] == 10000
    assert run_json("alerts", "rules", "add", "五千万", "--type", "funding", "--min-amount", "5000万",
                    db=path)["min_amount_wan"] == 5000
    # a region's name other regions share is said when the rule is saved, in the JSON as on stderr (the region
    # service's note, as every command says it)
    proc = run("alerts", "rules", "add", "朝阳融资", "--type", "funding", "--region", "朝阳", "--region", "110105",
               "--gaps-of", "110105", "--format", "json", db=path)
    zh = "朝阳 读作 辽宁省朝阳市 (211300)（同名：北京市朝阳区 (110105)"
    assert json.loads(proc.stdout)["region_notes"][0]["note"].startswith(zh) and "注意：" + zh in proc.stderr
    table = run("alerts", "rules", "list", db=path, env={"COLUMNS": "250"}).stdout
    assert "金额 ≥ 1,000,000,000 万元" in table and "e+" not in table, table
    with local_client(create_app(str(path))) as c:
        zh, en = c.get("/alerts").text, c.get("/alerts?lang=en").text
    # in English as the pages say an amount (1,000,000,000 万元 = CNY 10 trillion), not in units of 10k CNY
    assert "金额 ≥ 1,000,000,000 万元" in zh and "amount ≥ CNY 10,000 billion" in en
    # the rule's region by the label the note says it by (Beijing's 朝阳区 is Chaoyang too), as the board shows it
    assert "regions Chaoyang, Liaoning" in en and "地区 朝阳市" in zh and "regions Chaoyang;" not in en
    # labels with commas of their own are told apart ("; "), never read as four places
    assert "regions Chaoyang, Liaoning; Chaoyang, Beijing; gaps of Chaoyang, Beijing" in en, en
    assert "e+0" not in zh + en


def test_rule_types_are_stored_as_codes_and_labelled_in_the_ui_language(tmp_path_factory):
    """Types named by code or Chinese name are stored as codes (融资 and funding: one type), shown in the page's
    language (an English page had 诉讼/处罚/监管 and 人事变动); ``events --type`` reads the Chinese name too."""
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, _, d = AF.copy(tmp_path_factory, "alerts_types")
    f = d / "types.yaml"
    f.write_text("rules:\n- name: 负面\n  types: [news, 诉讼/处罚/监管, 裁员]\n"
                 "- name: 混合\n  types: [融资, 扩张/新建/投资设厂, 人事变动, 上市, news, funding]\n", encoding="utf-8")
    saved = run_json("alerts", "rules", "import", str(f), db=path)
    assert [r["types"] for r in saved] == [["news", "legal", "layoff"], ["funding", "expansion", "personnel", "ipo", "news"]]
    listed = run("alerts", "rules", "list", db=path, env={"COLUMNS": "250"}).stdout
    assert "融资、扩张/新建/投资设厂、人事变动、上市、新闻" in listed and "融资、扩张/新建/投资设厂、人事变动、上市、新闻、融资" not in listed
    with local_client(create_app(str(path))) as c:
        en = c.get("/alerts?lang=en").text
    assert "litigation / penalty / regulation" in en and "personnel change" in en
    assert "诉讼/处罚/监管" not in en and "人事变动" not in en.split('id="al-rules"')[1].split("</table>")[0]
    # the timeline's filter reads the Chinese name by the same lookup
    assert run("events", "--type", "人事变动", "--format", "json", db=path).returncode == 0
    bad = run("events", "--type", "人事变更", db=path, check=False)
    assert bad.returncode == 2 and "未知的事件类型: 人事变更" in bad.stderr


def test_a_yaml_syntax_error_is_said_in_the_ui_language(db, tmp_path):
    """PyYAML's English complaint was quoted inside the Chinese error; English keeps it."""
    broken = "rules:\n- name: 坏\n  types: [news, funding\n"
    _refused_import(db[0], tmp_path / "broken.yaml", broken, "方括号列表 [ … ] 未闭合或缺少逗号")
    _refused_import(db[0], tmp_path / "broken.yaml", broken, "expected ',' or ']'", "--lang", "en")
    proc = run("alerts", "rules", "import", str(tmp_path / "broken.yaml"), db=db[0], check=False)
    assert "expected" not in proc.stderr and "but got" not in proc.stderr, proc.stderr


def test_a_name_repeated_in_one_file_refuses_the_file(db, tmp_path):
    """Two rules of one name in a YAML: the second replaced the first while the summary listed two rules imported
    with one id. The file is refused, naming the name and both rules; nothing is saved."""
    twice = "rules:\n- name: 重复名\n  types: [news]\n- name: 重复名\n  types: [funding]\n"
    _refused_import(db[0], tmp_path / "twice.yaml", twice, "第 2 条: 规则名称“重复名”与第 1 条重复")
    _refused_import(db[0], tmp_path / "twice.yaml", twice, "rule 2: the name '重复名' repeats rule 1", "--lang", "en")


def test_the_digest_lists_an_event_once_whatever_the_rules_that_matched_it(tmp_path_factory):
    """Two of a user's e-mail rules matching one news item once listed it twice in the digest; it is one line now,
    naming both rules, while each rule keeps its own alert."""
    path, info, d = AF.copy(tmp_path_factory, "alerts_digest_once")
    for name in ("关注企业甲", "关注企业乙"):
        run_json("alerts", "rules", "add", name, "--enterprise", str(info["far"]), "--type", "news",
                 "--channel", "email", db=path)
    assert len(run_json("alerts", "run", db=path)["alerts"]) == 2
    out = d / "once.html"
    doc = run_json("alerts", "digest", "--output", str(out), db=path)
    assert doc["alerts"] == 2 and doc["events"] == 1 and doc["subject"].endswith("：1 条"), doc
    html = out.read_text(encoding="utf-8")
    assert html.count("<tr>") == 2 and "关注企业甲、关注企业乙" in html, html
    assert "note" not in doc and "每日邮件摘要" not in html
    # the alerts stay, the rules no longer deliver by e-mail: the empty digest says why and how to add the channel
    for name in ("关注企业甲", "关注企业乙"):
        run_json("alerts", "rules", "add", name, "--enterprise", str(info["far"]), "--type", "news",
                 "--channel", "app", "--replace", db=path)
    doc = run_json("alerts", "digest", "--output", str(out), db=path)
    page = html_lib.unescape(out.read_text(encoding="utf-8"))
    assert doc["alerts"] == 0 and "local 的规则都没有这一渠道：用 --channel email 加上" in doc["note"], doc
    assert doc["note"] in page and "<td>" not in page, page
    en = run("--lang", "en", "alerts", "digest", db=path)
    assert "none of local's rules has it: add it with --channel email" in en.stderr and "rules has it" not in en.stdout


def test_a_rule_added_for_a_user_on_the_command_line_is_audited_as_the_command_lines(tmp_path_factory):
    """`alerts rules add … --user vie` was audited with vie as its actor. The actor is the command line's operator
    (cli:…), as every command's entry; the owner is named in the entry's detail. A viewer is refused as an owner
    (`--user vic`: a rule its owner could never remove — the page shows a viewer no remove button, the API answers
    403), in Chinese and English, by `add` and `import` alike, and nothing is saved, as a viewer cannot own a lead;
    nor are a viewer's delivery channels set (`alerts channels --user vic --email/--webhook`), only read."""
    path, _, d = AF.copy(tmp_path_factory, "alerts_actor")
    for name, role in (("vie", "analyst"), ("vic", "viewer")):
        run("users", "add", name, "--role", role, "--password-stdin", db=path, input="a-long-enough-password-1\n")
    (d / "viewer_rules.yaml").write_text(AF.RULES_YAML, encoding="utf-8")
    for lang, said in (("zh", "vic 是只读用户（viewer），不能添加或删除预警规则，不能拥有规则"),
                       ("en", "vic is a read-only user (viewer) who cannot add or remove alert rules, so cannot own one")):
        for args in (("alerts", "rules", "add", "杭州负面", "--region", "杭州市", "--max-sentiment", "-0.3"),
                     ("alerts", "rules", "import", str(d / "viewer_rules.yaml"))):
            bad = run("--lang", lang, *args, "--user", "vic", db=path, check=False)
            assert bad.returncode == 2 and said in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert run_json("alerts", "rules", "list", "--user", "vic", db=path) == []
    # nor set a viewer's channels (the page and the API refuse a viewer's change): read them, yes
    for lang, arg, said in (("zh", ("--email", "vic@example.org"), "vic 是只读用户（viewer），不能设置推送渠道"),
                            ("en", ("--webhook", "https://hooks.example/vic"),
                             "vic is a read-only user (viewer) who cannot change delivery channels")):
        bad = run("--lang", lang, "alerts", "channels", *arg, "--user", "vic", db=path, check=False)
        assert bad.returncode == 2 and said in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert run_json("alerts", "channels", "--user", "vic", db=path) == \
        {"owner": "vic", "email": None, "webhook_url": None, "webhook_secret_set": False, "lang": "zh"}
    rule = run_json("alerts", "rules", "add", "杭州融资", "--type", "funding", "--region", "杭州市", "--user", "vie", db=path)
    assert rule["owner"] == "vie"
    run("alerts", "rules", "remove", str(rule["id"]), "--user", "vie", db=path)
    rows = {r["action"]: r for r in run_json("team", "audit", db=path)["rows"]}
    for action in ("alerts.rule_add", "alerts.rule_remove"):
        assert rows[action]["actor"].startswith("cli:") and rows[action]["actor"] == rows["user.add"]["actor"], rows[action]
    assert '"owner": "vie"' in rows["alerts.rule_add"]["detail"]


def test_alerts_read_marks_alerts_read_from_the_command_line(tmp_path_factory):
    """``alerts read ID…`` and ``--all`` mark the user's alerts read through the service of the web's 全部标为已读 and
    its audit entry (``alerts.read``, acted by the command line's operator); an id that is no alert, or another
    user's, refuses the call naming it (exit 2) and marks nothing; neither ids nor --all, or both, is refused."""
    import json

    from zhaoshang.core.store import Store
    from zhaoshang.core.teamstate import default_team_url, open_team_db
    from zhaoshang.services.pipeline import leads
    from zhaoshang.services.team import accounts, audit

    path, info, d = AF.copy(tmp_path_factory, "alerts_read")
    team = open_team_db(default_team_url(str(path)))
    with Store(str(path), read_only=True) as store:  # a target in the pipeline, for the rules about targets
        leads.add(store, team, str(info["target"]), "杭州市")
    accounts.add_user(team, "ana", "analyst", "a-long-enough-password-1", "cli:test")
    named = "  - name: 缺失环节大额融资\n"  # one rule with an English name, as the demo's rules have
    (d / "rules.yaml").write_text(AF.RULES_YAML.replace(named, named + "    name_en: Large rounds in missing links\n"),
                                  encoding="utf-8")
    for who in ("local", "ana"):
        run("alerts", "rules", "import", str(d / "rules.yaml"), "--user", who, db=path)
    run("alerts", "run", db=path)
    mine = [a["id"] for a in run_json("alerts", "list", "--user", "local", db=path)]
    anas = [a["id"] for a in run_json("alerts", "list", "--user", "ana", db=path)]
    assert len(mine) >= 3 and anas

    unread = lambda who: [a["id"] for a in run_json("alerts", "list", "--user", who, "--unread", db=path)]  # noqa: E731
    for args, said in ((("alerts", "read"), "请给出预警编号，或用 --all"),
                       (("alerts", "read", str(mine[0]), "--all"), "二者取其一"),
                       (("alerts", "read", str(mine[0]), "99999"), "没有这条预警: #99999"),
                       (("alerts", "read", str(mine[0]), "第一条"), "预警编号应为数字: 第一条"),
                       (("alerts", "read", str(mine[0]), str(anas[0])), f"预警 #{anas[0]}（ana） 不是 local 的预警")):
        r = run(*args, db=path, check=False)
        assert r.returncode == 2 and said in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert unread("local") == mine and unread("ana") == anas  # nothing marked by a refused call
    r = run("--lang", "en", "alerts", "read", "99999", "99998", db=path, check=False)
    assert r.returncode == 2 and "no such alerts: #99999, #99998" in r.stderr

    assert run_json("alerts", "read", str(mine[0]), f"#{mine[1]}", db=path) == {"owner": "local", "marked": 2}
    assert unread("local") == mine[2:]
    assert run_json("alerts", "read", str(mine[0]), db=path)["marked"] == 0  # already read: nothing changes
    assert "已标为已读 1 条" in run("alerts", "read", str(anas[0]), "--user", "ana", db=path).stdout
    assert unread("ana") == anas[1:]
    assert run("--lang", "en", "alerts", "read", "--all", db=path).stdout.strip().startswith(f"{len(mine) - 2} alerts marked read")
    assert unread("local") == [] and unread("ana") == anas[1:]  # another user's alerts stay unread
    entries = audit.search(team, action="alerts.read")["rows"]
    assert [(e["actor"].startswith("cli:"), e["target"], json.loads(e["detail"])) for e in reversed(entries)] == [
        (True, "user:local", {"marked": 2, "ids": mine[:2]}), (True, "user:local", {"marked": 0, "ids": mine[:1]}),
        (True, "user:ana", {"marked": 1, "ids": anas[:1], "on_behalf_of": "ana"}), (True, "user:local", {"marked": len(mine) - 2})]


def test_a_bad_rule_of_a_file_is_named_by_its_name(db, tmp_path):
    """One bad rule refuses the file, naming it (docs/cli.md): the refusal said 第 2 条: 未找到地区 杭洲… and left the
    reader to count the rules of the file. It says the rule's name beside its number, in either language."""
    text = ("rules:\n- name: 本地融资\n  types: [funding]\n  regions: [杭州市]\n"
            "- name: 本地企业负面新闻\n  types: [news]\n  regions: [杭洲]\n")
    _refused_import(db[0], tmp_path / "typo.yaml", text, "第 2 条（本地企业负面新闻）: 未找到地区")
    _refused_import(db[0], tmp_path / "typo.yaml", text, "rule 2 ('本地企业负面新闻'): ", "--lang", "en")
