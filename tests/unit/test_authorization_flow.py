"""The authorization's table, its security agreement and the pure rules of its service (no
database): who may fire what in which status, when an agreement is needed, the validity, what
counts as a tightened entry, the agreement's text, checksum and tamper checks."""
from __future__ import annotations

import datetime
import hashlib
import json
from types import SimpleNamespace

import pytest

from ckanext.govshare.catalogue import vocab
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.lifecycle.machine import GuardFailed, IllegalTransition, NotPermitted
from ckanext.govshare.sharing import agreement, authorizations, flows

M = flows.MACHINES[flows.AUTHORIZATION]
SCALE = vocab.DEFAULT_GRADE_SCALE
UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing

PROVIDER = {flows.PROVIDER_REVIEWER}
SECURITY = {flows.PROVIDER_SECURITY}
CONSUMER = {flows.CONSUMER_REVIEWER, flows.REQUESTER}
SYSTEM = {flows.SYSTEM}

#: (status, event, roles) -> the new status, or the refusal
TABLE = [
    ("pending_agreement", "activate", SYSTEM, "active"),
    ("pending_agreement", "activate", PROVIDER, NotPermitted),
    ("pending_agreement", "suspend", SECURITY, "suspended"),
    ("pending_agreement", "revoke", PROVIDER, "revoked"),
    ("pending_agreement", "expire", SYSTEM, "expired"),
    ("pending_agreement", "resume", PROVIDER, IllegalTransition),
    ("active", "suspend", PROVIDER, "suspended"),
    ("active", "suspend", SECURITY, "suspended"),
    ("active", "suspend", SYSTEM, "suspended"),
    ("active", "suspend", CONSUMER, NotPermitted),
    ("active", "revoke", SECURITY, "revoked"),
    ("active", "revoke", CONSUMER, NotPermitted),
    ("active", "expire", SYSTEM, "expired"),
    ("active", "expire", PROVIDER, NotPermitted),
    ("active", "activate", SYSTEM, IllegalTransition),
    ("suspended", "resume", PROVIDER, "active"),
    ("suspended", "resume", SECURITY, NotPermitted),
    ("suspended", "revoke", PROVIDER, "revoked"),
    ("suspended", "expire", SYSTEM, "expired"),
    ("expired", "resume", PROVIDER, IllegalTransition),
    ("expired", "revoke", PROVIDER, IllegalTransition),
    ("revoked", "resume", PROVIDER, IllegalTransition),
    ("revoked", "suspend", SYSTEM, IllegalTransition),
]


@pytest.mark.parametrize("status,event,roles,expected", TABLE)
def test_table(status, event, roles, expected):
    """Each status allows only its events, each event only its roles (a reason given)."""
    if isinstance(expected, type):
        with pytest.raises(expected):
            M.transition(status, event, actor="u", actor_roles=roles, reason="理由")
    else:
        assert M.transition(status, event, actor="u", actor_roles=roles,
                            reason="理由").new_state == expected


@pytest.mark.parametrize("event", ["suspend", "revoke"])
def test_suspension_and_revocation_need_a_reason(event):
    """Suspending or revoking without a reason is refused (the reason guard)."""
    with pytest.raises(GuardFailed) as err:
        M.transition("active", event, actor="u", actor_roles=PROVIDER, reason="  ")
    assert err.value.rule == "reason"


def test_resume_without_a_complete_agreement_awaits_it():
    """A suspended grant whose agreement is incomplete resumes to pending_agreement."""
    result = M.transition("suspended", "resume", actor="u", actor_roles=PROVIDER,
                          branch="agreement")
    assert result.new_state == "pending_agreement"


def test_only_active_grants_data():
    """Only an active authorization lets its holders see data."""
    assert flows.AUTHORIZATION_GRANTING == {"active"}


# -- when an agreement is needed -----------------------------------------------------------------

@pytest.mark.parametrize("grade,scope,level,expected", [
    ("G2", None, "G3", False),
    ("G3", None, "G3", True),
    ("IMP", None, "G3", True),
    ("G2", [{"agreement_required": "true"}], "G3", True),
    ("G2", '[{"agreement_required": true}]', "G3", True),
    ("G2", [{"agreement_required": "false"}], "G3", False),
    ("G2", None, "G2", True),
    ("G2", None, "", False),
    ("G4", None, "nonsense", False),
])
def test_requires_agreement(grade, scope, level, expected):
    """The share scope's agreement_required, or a grade at least the configured one."""
    entry = {"data_grade": grade, "share_scope": scope}
    assert authorizations.requires_agreement(entry, SCALE, level) is expected


# -- validity ------------------------------------------------------------------------------------

def test_validity_in_days():
    """validity_days after now."""
    start, end = authorizations.validity({"validity_days": 30}, NOW)
    assert (start, end) == (NOW, NOW + datetime.timedelta(days=30))


def test_validity_until_a_date_is_the_end_of_that_beijing_day():
    """An end date means the end of that day in Beijing."""
    start, end = authorizations.validity(
        {"valid_from": "2026-03-05", "valid_until": "2026-06-30"}, NOW)
    assert start == datetime.datetime(2026, 3, 5, tzinfo=deadlines.SHANGHAI)
    assert end == datetime.datetime(2026, 6, 30, 23, 59, 59, tzinfo=deadlines.SHANGHAI)


@pytest.mark.parametrize("data", [
    {}, {"validity_days": 0}, {"valid_until": "2026-01-01"},
    {"valid_from": "2026-05-01", "valid_until": "2026-04-01"},
])
def test_validity_refused(data):
    """No validity, none left, or an end before the start."""
    with pytest.raises(ValueError):
        authorizations.validity(data, NOW)


def test_lapsed_in_force_days_left():
    """Past valid_until an open grant is lapsed and grants nothing, before any expiry run."""
    auth = SimpleNamespace(status="active", valid_from=NOW - datetime.timedelta(days=10),
                           valid_until=NOW + datetime.timedelta(hours=1))
    assert authorizations.in_force(auth, NOW) and not authorizations.lapsed(auth, NOW)
    later = NOW + datetime.timedelta(hours=2)
    assert authorizations.lapsed(auth, later) and not authorizations.in_force(auth, later)
    assert authorizations.days_left(auth.valid_until, NOW) == 0
    assert authorizations.days_left(auth.valid_until, NOW - datetime.timedelta(days=3)) == 3
    auth.status = "revoked"
    assert not authorizations.lapsed(auth, later)


# -- tightening ----------------------------------------------------------------------------------

@pytest.mark.parametrize("before,after,causes", [
    ({"share_type": "unconditional"}, {"share_type": "conditional"}, ["share_type"]),
    ({"share_type": "conditional"}, {"share_type": "not_shared"}, ["not_shared"]),
    ({"share_type": "unconditional"}, {"share_type": "not_shared"}, ["not_shared"]),
    ({"share_type": "conditional"}, {"share_type": "unconditional"}, []),
    ({"share_type": "conditional", "data_grade": "G2"},
     {"share_type": "conditional", "data_grade": "G3"}, ["grade"]),
    ({"data_grade": "G3"}, {"data_grade": "G2"}, []),
    ({"share_type": "unconditional", "data_grade": "G1"},
     {"share_type": "conditional", "data_grade": "G3"}, ["share_type", "grade"]),
    ({"share_type": "conditional", "data_grade": "G2"},
     {"share_type": "conditional", "data_grade": "G2", "notes": "更正"}, []),
])
def test_tightening(before, after, causes):
    """A stricter share type, no longer shared, a higher grade; nothing else."""
    assert authorizations.tightening(before, after, SCALE) == causes


def test_tightened_items():
    """An item whose own share type or grade tightened; removed or loosened ones are not."""
    before = [{"name": "A", "share_type": "unconditional", "grade": "G1"},
              {"name": "B", "share_type": "conditional", "grade": "G2"},
              {"name": "C", "share_type": "conditional", "grade": "G2"},
              {"name": "D", "share_type": "conditional", "grade": "G3"}]
    after = [{"name": "A", "share_type": "conditional", "grade": "G1"},
             {"name": "B", "share_type": "conditional", "grade": "G3"},
             {"name": "D", "share_type": "conditional", "grade": "G2"}]
    found = authorizations.tightened_items({"info_items": json.dumps(before)},
                                           {"info_items": after}, SCALE)
    assert found == {"A", "B"}


# -- the agreement -------------------------------------------------------------------------------

COLUMNS = {
    "entry_id": "e1", "provider_org": "p1", "consumer_org": "c1", "persons": ["u1"],
    "items": ["统一社会信用代码", "企业名称"], "purpose": "企业信用核查",
    "scenario": "行政许可审查", "region": "全省", "usage_scope": "本部门审批业务",
    "provision_method": "query", "valid_from": NOW,
    "valid_until": NOW + datetime.timedelta(days=90),
}


def _record():
    terms = agreement.terms(
        COLUMNS, number="SQZ-2026-000001-XY", provider="省市场监督管理局",
        consumer="省人力资源和社会保障厅", entry_title="严重违法失信企业名单",
        resource_code="SX-1234", grade="G3 一般数据3级（敏感）", person_names=["王芳"],
        provision_method="信息查询接口")
    return agreement.generate(terms, NOW)


def test_agreement_states_the_terms():
    """The text names the parties, the entry and its code, items, purpose, scenario, region,
    scope, method, validity (Beijing time) and the security obligations."""
    text = _record()["text"]
    for part in ("省市场监督管理局", "省人力资源和社会保障厅", "严重违法失信企业名单", "SX-1234",
                 "统一社会信用代码、企业名称", "企业信用核查", "行政许可审查", "全省",
                 "本部门审批业务", "信息查询接口", "王芳", "2026-03-02 10:00",
                 "2026-05-31 10:00", "第六条 安全义务", agreement.OBLIGATIONS[0]):
        assert part in text


def test_agreement_checksum_is_the_sha256_of_its_text():
    """The stored checksum is SHA-256 over the UTF-8 text; nobody has accepted yet."""
    record = _record()
    assert record["checksum"] == hashlib.sha256(record["text"].encode("utf-8")).hexdigest()
    assert record["accepted"] == {"provider": None, "consumer": None}
    assert not agreement.complete(record) and agreement.complete(None)
    assert agreement.problems(record, COLUMNS) == []


def test_agreement_tampering_is_detected():
    """A changed text, changed terms or an acceptance of another text: each is found."""
    record = _record()
    assert agreement.problems({**record, "text": record["text"].replace("全省", "全国")},
                              COLUMNS) == ["checksum"]
    assert agreement.problems(record, {**COLUMNS, "items": ["企业名称"]}) == ["terms"]
    later = {**COLUMNS, "valid_until": COLUMNS["valid_until"] + datetime.timedelta(days=1)}
    assert agreement.problems(record, later) == ["terms"]
    stale = {**record, "accepted": {"provider": {"user": "u", "checksum": "0" * 64},
                                    "consumer": None}}
    assert agreement.problems(stale, COLUMNS) == ["acceptance"]


def test_agreement_document_prints_the_checksum():
    """The document is the text, then the checksum and each side's acceptance."""
    record = _record()
    record["accepted"]["provider"] = {"user": "u9", "at": NOW.isoformat(),
                                      "checksum": record["checksum"]}
    body = agreement.document(record, {"provider": "李强"}).decode("utf-8")
    assert body.startswith(record["text"])
    assert f"校验码（SHA256）：{record['checksum']}" in body
    assert "甲方确认：李强，2026-03-02 10:00" in body and "乙方确认：（尚未确认）" in body
    assert agreement.filename(record) == "SQZ-2026-000001-XY.txt"
