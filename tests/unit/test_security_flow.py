"""The security flows without a database: the incident and grade sign-off tables (DB14 §11.1),
when a submission needs the security officer's sign-off, and the access-overview workbook."""
from __future__ import annotations

import datetime
import io
import itertools

import openpyxl
import pytest

from ckanext.govshare.lifecycle import machine as lc
from ckanext.govshare.sharing import flows
from ckanext.govshare.sharing import security as s

SCALE = ("G1", "G2", "G3", "G4", "IMP", "CORE")

# The expected tables, written out independently of flows.py.
INCIDENT_EXPECTED = {
    ("reported", "handle"): "handling",
    ("handling", "handle"): "handling",
    ("reported", "close"): "closed",
    ("handling", "close"): "closed",
}
SIGNOFF_EXPECTED = {
    ("submitted", "sign"): "signed",
    ("submitted", "object"): "objected",
}


@pytest.mark.parametrize(("kind", "expected"), [
    (flows.INCIDENT, INCIDENT_EXPECTED), (flows.GRADE_SIGNOFF, SIGNOFF_EXPECTED)])
def test_every_state_and_event(kind, expected):
    """Each (state, event) pair is legal exactly when the table says so, with its target."""
    m = flows.MACHINES[kind]
    for state, event in itertools.product(m.states, m.events):
        roles = set(m.roles_for(event, state)) or {flows.SECURITY_OFFICER}
        if (state, event) in expected:
            result = m.transition(state, event, actor="so", submitter="someone else",
                                  reason="理由", actor_roles=roles)
            assert result.new_state == expected[(state, event)]
        else:
            with pytest.raises(lc.IllegalTransition):
                m.transition(state, event, actor="so", submitter=None, reason="理由",
                             actor_roles=roles)


@pytest.mark.parametrize("kind", [flows.INCIDENT, flows.GRADE_SIGNOFF])
@pytest.mark.parametrize("role", sorted(set(flows.ROLES) - {flows.SECURITY_OFFICER}))
def test_only_the_security_officer_decides(kind, role):
    """No role but the department's security officer fires an incident's or a sign-off's
    events (DB14 §11.1 •1, •4)."""
    m = flows.MACHINES[kind]
    state = flows.INITIAL[kind]
    for event in m.allowed_events(state):
        with pytest.raises(lc.NotPermitted):
            m.transition(state, event, actor="x", submitter=None, reason="理由",
                         actor_roles={role})
    assert m.allowed_events(state, actor_roles={role}) == []
    assert m.allowed_events(state, actor_roles={flows.SECURITY_OFFICER})


@pytest.mark.parametrize(("kind", "event"), [
    (flows.INCIDENT, flows.HANDLE), (flows.INCIDENT, flows.CLOSE),
    (flows.GRADE_SIGNOFF, flows.OBJECT)])
def test_text_is_required(kind, event):
    """A handling step, a conclusion and an objection carry their text."""
    m = flows.MACHINES[kind]
    with pytest.raises(lc.GuardFailed) as err:
        m.transition(flows.INITIAL[kind], event, actor="so", submitter=None, reason=" ",
                     actor_roles={flows.SECURITY_OFFICER})
    assert err.value.rule == "reason"


def test_sign_needs_no_comment_and_runs_the_clock():
    """Signing takes no comment; the open sign-off runs on the ``signoff`` clock, the
    incident on none; a signed or objected sign-off and a closed incident are no longer open."""
    m = flows.MACHINES[flows.GRADE_SIGNOFF]
    assert m.transition("submitted", "sign", actor="so", submitter=None, reason=None,
                        actor_roles={flows.SECURITY_OFFICER}).new_state == "signed"
    assert m.clocks == {"submitted": flows.CLOCK_SIGNOFF}
    assert flows.MACHINES[flows.INCIDENT].clocks == {}
    assert flows.is_open(flows.GRADE_SIGNOFF, "submitted")
    assert not flows.is_open(flows.GRADE_SIGNOFF, "signed")
    assert not flows.is_open(flows.GRADE_SIGNOFF, "objected")
    assert flows.is_open(flows.INCIDENT, "handling")
    assert not flows.is_open(flows.INCIDENT, "closed")


@pytest.mark.parametrize(("grade", "previous", "level", "expected"), [
    ("G3", None, "G3", True),  # at the level
    ("IMP", None, "G3", True),  # above it
    ("G2", None, "G3", False),  # below it
    (None, None, "G3", False),  # no grade
    ("X9", None, "G3", False),  # not on the scale
    ("G3", None, "", False),  # no level configured
    ("G3", None, "L7", False),  # a level not on the scale
    ("G3", "G2", "G3", True),  # a revision raising the grade to the level
    ("G4", "G3", "G3", True),  # … or higher within it
    ("G3", "G3", "G3", False),  # a revision keeping the grade
    ("G3", "G4", "G3", False),  # … or lowering it
    ("G2", "G1", "G3", False),  # … or raising it below the level
])
def test_needs_signoff(grade, previous, level, expected):
    """A submission needs the security officer when its grade is at or above the level and —
    for a revision — higher than the live grade."""
    assert s.needs_signoff(grade, previous, level, SCALE) is expected


def _overview():
    at = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.timezone.utc)
    return {
        "organization_id": "o", "at": at.isoformat(), "since": None,
        "entries": [
            {"id": "e1", "name": "e1", "title": "户籍人口基本信息", "resource_code": "C-1",
             "share_type": "conditional", "data_grade": "G3", "audience": "authorized",
             "authorizations": 1},
            {"id": "e2", "name": "e2", "title": "道路交通事故统计信息", "resource_code": "C-2",
             "share_type": "unconditional", "data_grade": "G1", "audience": "everyone",
             "authorizations": 0},
        ],
        "authorizations": [{
            "id": "a", "number": "SQZ-2026-000001", "entry_id": "e1", "entry_name": "e1",
            "entry_title": "户籍人口基本信息", "resource_code": "C-1", "items": ["姓名"],
            "consumer_org": "c", "consumer_title": "省人社厅",
            "persons": [{"id": "u", "name": "li", "display_name": "李四"}],
            "purpose": "社保核验", "provision_method": "query",
            "valid_from": at.isoformat(), "valid_until": (at + datetime.timedelta(days=90))
            .isoformat(), "days_left": 60, "last_access": at.isoformat(),
        }],
        "accesses": [{
            "user": {"id": "u", "name": "li", "display_name": "李四"}, "entry_id": "e1",
            "entry_name": "e1", "entry_title": "户籍人口基本信息", "resource_code": "C-1",
            "last_at": at.isoformat(), "channel": "package_show", "authorization_id": "a",
            "authorization_number": "SQZ-2026-000001", "count": 3,
        }],
    }


def test_overview_workbook():
    """Three sheets with bilingual headers: the entries by share type and audience, the
    authorizations in force (persons named, Beijing time), the last accesses."""
    wb = openpyxl.load_workbook(io.BytesIO(s.overview_workbook(_overview(), "省公安厅")))
    assert wb.sheetnames == ["共享属性 Entries", "授权 Authorizations", "访问记录 Access log"]
    entries = list(wb["共享属性 Entries"].values)
    assert entries[0][0] == "部门 / Department"
    assert entries[1][:6] == ("省公安厅", "C-1", "户籍人口基本信息", "有条件共享", "G3",
                              "授权范围内的部门和人员")
    assert entries[2][5] == "全部登录用户"
    [header, grant] = list(wb["授权 Authorizations"].values)
    assert header[5] == "知悉范围 / Persons"
    assert grant[0] == "SQZ-2026-000001" and grant[3] == "姓名" and grant[5] == "李四"
    assert grant[8] == datetime.datetime(2026, 12, 3, 10, 0)  # Beijing time
    [_header, access] = list(wb["访问记录 Access log"].values)
    assert access[:2] == ("李四", "li") and access[5] == 3 and access[7] == "SQZ-2026-000001"


def test_overview_workbook_of_nothing():
    """An empty department still gets its three sheets with headers only."""
    empty = {**_overview(), "entries": [], "authorizations": [], "accesses": []}
    wb = openpyxl.load_workbook(io.BytesIO(s.overview_workbook(empty, "厅")))
    assert [len(list(ws.values)) for ws in wb] == [1, 1, 1]
