"""Masking of personal data: phone numbers, landlines, e-mail addresses, resident ID numbers, private
shareholders; what the role may see decides, and only unmasked answers are recorded."""

from __future__ import annotations

from zhaoshang.services import privacy
from zhaoshang.services.team.roles import ROLES, User


def test_masking_of_contact_fields_and_free_text():
    assert privacy.mask_value("13812345678") == "138****5678"
    assert privacy.mask_value("+86 138-1234-5678") == "138****5678"
    assert privacy.mask_value("li.si@example.com") == "l***@example.com"
    assert privacy.mask_value("0571-87077834") == "0571-****7834"
    assert privacy.mask_value("wxid_abcdefg") == "w***fg"  # anything else: first and last characters only
    text = "张三 13812345678，邮箱 zhang@corp.cn，身份证 33010219900101123X，办公室 0571-87077834"
    masked = privacy.mask_text(text)
    for secret in ("13812345678", "zhang@corp.cn", "33010219900101123X", "87077834"):
        assert secret not in masked
    assert "330***********123X" in masked and "张三" in masked
    assert privacy.mask_text("融资 169982209.99 万元，增长 0.13812345678") == "融资 169982209.99 万元，增长 0.13812345678"
    # one star whatever the length: 王** beside officers named 王小明 and 王五 would say which one holds the shares
    assert privacy.mask_name("王小明") == "王*" and privacy.mask_name("李四") == "李*" and privacy.mask_name("欧阳小明") == "欧*"
    assert privacy.has_unmasked(masked) == [] and privacy.has_unmasked(text)


def _profile():
    return {"enterprise": {"id": 7, "name": "示例科技"},
            "contacts": [{"name": "赵六", "phone": "13900001111", "email": "zhao@example.com", "notes": "手机 13900001111"}],
            "shareholders": [{"holder_name": "钱七", "holder_type": "person", "holder_person_id": 3, "percent": 40.0},
                             {"holder_name": "某某创投", "holder_type": "investor", "holder_investor_id": 9, "percent": 10.0}]}


def test_profile_masked_for_a_viewer_whole_and_recorded_for_an_analyst():
    calls = []
    viewer = User(1, "v", "viewer", permissions=ROLES["viewer"])
    analyst = User(2, "a", "analyst", permissions=ROLES["analyst"])
    v = privacy.present_profile(_profile(), viewer, lambda *a: calls.append(a))
    assert v["masked"] and not calls
    assert v["contacts"][0]["phone"] == "139****1111" and v["contacts"][0]["email"] == "z***@example.com"
    assert "13900001111" not in v["contacts"][0]["notes"]
    assert v["shareholders"][0]["holder_name"] == "钱*" and v["shareholders"][0]["holder_person_id"] is None
    assert v["shareholders"][1]["holder_name"] == "某某创投" and v["shareholders"][0]["percent"] == 40.0
    a = privacy.present_profile(_profile(), analyst, lambda *x: calls.append(x))
    assert not a["masked"] and a["contacts"][0]["phone"] == "13900001111"
    assert calls == [("person.read", "enterprise:7", {"enterprise": "示例科技", "contacts": 1, "person_shareholders": 1})]
    plain = {"enterprise": {"id": 8, "name": "x"}, "contacts": [], "shareholders": []}
    privacy.present_profile(plain, analyst, lambda *x: calls.append(x))
    assert len(calls) == 1  # nothing personal handed out: nothing recorded


def test_a_profile_timeline_headline_is_free_text_masked_for_a_viewer():
    """A news item without a title is named on the timeline by the head of its body, which may hold a phone number:
    masked for a viewer as any free text; handed out whole to an analyst and written to the audit log."""
    calls = []
    viewer = User(1, "v", "viewer", permissions=ROLES["viewer"])
    analyst = User(2, "a", "analyst", permissions=ROLES["analyst"])
    doc = {"enterprise": {"id": 9, "name": "示例科技"}, "contacts": [], "shareholders": [],
           "timeline": [{"date": "2024-05-01", "type": "news", "title": "总经理辞职，手机13812345678…"},
                        {"date": "2024-03-01", "type": "funding", "title": "融资: A轮 3000万元"}]}
    v = privacy.present_profile(doc, viewer, lambda *a: calls.append(a))
    assert [e["title"] for e in v["timeline"]] == ["总经理辞职，手机138****5678…", "融资: A轮 3000万元"] and not calls
    a = privacy.present_profile(doc, analyst, lambda *x: calls.append(x))
    assert a["timeline"][0]["title"] == "总经理辞职，手机13812345678…"
    assert calls == [("person.read", "enterprise:9", {"enterprise": "示例科技", "contacts": 0, "person_shareholders": 0,
                                                      "texts": 1})]


def test_the_formats_people_write_are_masked_and_the_numbers_analysts_need_are_not():
    masked = {  # as written → as a viewer sees it
        "手机１３９８７６５４３２１": "手机139****4321",  # full-width digits
        "１３８１２３４５６７８": "138****5678",  # a full-width phone field: the mask of a normal one
        "138-1234-5678 / 138 1234 5678 / 138.1234.5678": "138****5678 / 138****5678 / 138****5678",
        "+86 139-8765-4321，86-13812345678，+8613812345678": "139****4321，138****5678，138****5678",
        "旧身份证330106800101123": "旧身份证330********1123",  # the 15-digit ID number
        "身份证11010519900307123x": "身份证110***********123x",
        "(0571)88889999 （0571）88889999 0571-8888-9999 0571 8888 7777 0571-88889999 010-66668888":
            "0571-****9999 0571-****9999 0571-****9999 0571-****7777 0571-****9999 010-****8888",
        "护照 E12345678，护照号码：G1234567": "护照 E****5678，护照号码：G****4567",
        "qian.yi+work@moming.cn 12345678@qq.com": "q***@moming.cn 1***@qq.com",
    }
    for text, want in masked.items():
        assert privacy.mask_text(text) == want, text
        assert privacy.has_unmasked(text) and not privacy.has_unmasked(want), text
    kept = ["投资3000万元", "2024-05-01 签约，2024年5月1日，2024.05.01，20240501", "成立于2019年，2019-2024 年",
            "信用代码 91330100MA2XXXXXXX，913301001234567890", "占股 12.5%，增长 0.13812345678",
            "融资 169982209.99 万元，金额 123456789012345 元", "３０００万元 ２０２４－０５－０１"]
    for text in kept:
        assert privacy.mask_text(text) == text and privacy.has_unmasked(text) == [], text


def test_every_free_text_field_of_a_contact_is_masked_for_a_viewer():
    viewer = User(1, "v", "viewer", permissions=ROLES["viewer"])
    contact = privacy.present_profile({"enterprise": {"id": 1}, "shareholders": [], "contacts": [
        {"name": "甲", "organisation": "某局 电话0571-88889999", "title": "主任 13812345678", "relation": "a@b.cn",
         "notes": "身份证330106800101123"}]}, viewer)["contacts"][0]
    assert contact == {"name": "甲", "organisation": "某局 电话0571-****9999", "title": "主任 138****5678",
                       "relation": "a***@b.cn", "notes": "身份证330********1123"}


def test_free_text_of_an_answer_masked_for_a_viewer_whole_and_recorded_for_an_analyst():
    doc = {"items": [{"next_action": "回电 13812345678", "owner": "ana", "next_action_date": "2024-05-01"}],
           "history": [{"field": "note", "from_value": None, "to_value": "邮箱 a@b.cn"}]}
    calls = []
    viewer = User(1, "v", "viewer", permissions=ROLES["viewer"])
    analyst = User(2, "a", "analyst", permissions=ROLES["analyst"])
    v = privacy.present_text(doc, privacy.LEAD_TEXT, viewer, lambda *a: calls.append(a), "lead:1")
    assert v["items"][0] == {"next_action": "回电 138****5678", "owner": "ana", "next_action_date": "2024-05-01"}
    assert v["history"][0]["to_value"] == "邮箱 a***@b.cn"
    assert not calls and doc["items"][0]["next_action"] == "回电 13812345678"  # the original is left alone
    assert privacy.present_text(doc, privacy.LEAD_TEXT, analyst, lambda *a: calls.append(a), "lead:1") is doc
    assert calls == [("person.read", "lead:1", {"texts": 2, "fields": ["next_action", "to_value"]})]
    privacy.present_text({"items": [{"next_action": "拜访"}]}, privacy.LEAD_TEXT, analyst, lambda *a: calls.append(a))
    assert len(calls) == 1  # nothing personal handed out: nothing recorded
