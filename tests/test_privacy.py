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
    assert privacy.mask_name("王小明") == "王**" and privacy.mask_name("李四") == "李*"
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
