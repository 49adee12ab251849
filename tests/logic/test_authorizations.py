"""Authorizations (授权) through the actions: the grant of an approved request, the security
agreement accepted by both sides, revocation, suspension and resumption, the daily expiry on a
pinned clock, the cascades of an entry going offline or tightened by a revision, a tampered
agreement, and who sees authorizations and the access log on each side."""
from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan

from ckanext.govshare import permissions
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import AccessLog, Authorization, CaseEvent
from ckanext.govshare.sharing import authorizations, cases

from .. import authorizations as A
from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(A.build)


def _audit(auth_id):
    return [(r.action, r.to_state) for r in model.Session.query(CaseEvent)
            .filter(CaseEvent.case_id == auth_id).order_by(CaseEvent.id)]


def _sees_data(user, entry_id) -> bool:
    return entry_id in permissions.authorized_entry_ids(model.User.get(user["id"]))


# -- the grant ------------------------------------------------------------------------------------

class TestGrant:
    def test_active_grant_of_a_conditional_entry(self, world):
        """No agreement needed: active at once, persons stored as ids, every item, 90 days,
        the data reaches the named person only, audited as granted by the reviewer."""
        w = world
        auth = A.grant(w, w.entry)
        assert auth["status"] == "active" and auth["agreement"] is None
        assert auth["persons"] == [w.requester["id"]]
        assert auth["provider_org"] == w.org["id"] and auth["consumer_org"] == w.other["id"]
        assert auth["items"] == [i["name"] for i in w.entry["info_items"]]
        assert auth["number"].startswith("SQZ-")
        start = datetime.datetime.fromisoformat(auth["valid_from"])
        end = datetime.datetime.fromisoformat(auth["valid_until"])
        assert end - start == datetime.timedelta(days=90)
        assert auth["in_force"] and not auth["lapsed"] and auth["days_left"] in (89, 90)
        assert _sees_data(w.requester, w.entry["id"])
        assert not _sees_data(w.colleague, w.entry["id"])
        [row] = model.Session.query(CaseEvent).filter(CaseEvent.case_id == auth["id"]).all()
        assert (row.kind, row.action, row.to_state, row.actor) == (
            "authorization", "created", "active", w.reviewer["id"])

    def test_granted_once(self, world):
        """Asked again for the same request, the same authorization."""
        w = world
        auth = A.grant(w, w.entry)
        case = cases.get_case(auth["request"]["id"])
        again = authorizations.grant_from_request({"user": w.reviewer["name"]}, case)
        assert again.id == auth["id"]
        assert model.Session.query(Authorization).count() == 1

    def test_department_wide_grant(self, world):
        """No named persons: every member of the consuming department gets the data."""
        w = world
        A.grant(w, w.entry, persons=[])
        assert _sees_data(w.requester, w.entry["id"]) and _sees_data(w.colleague, w.entry["id"])
        assert not _sees_data(w.third, w.entry["id"])

    def test_bad_validity_or_person_refused(self, world):
        """A validity already over, or an unknown person: a ValidationError, nothing granted."""
        w = world
        with pytest.raises(tk.ValidationError) as err:
            A.grant(w, w.entry, validity_days=None, valid_until="2020-01-01")
        assert "validity_days" in err.value.error_dict
        model.Session.rollback()
        with pytest.raises(tk.ValidationError) as err:
            A.grant(w, w.entry, persons=["nobody-at-all"])
        assert "persons" in err.value.error_dict
        model.Session.rollback()
        assert model.Session.query(Authorization).count() == 0


# -- the security agreement ----------------------------------------------------------------------

class TestAgreement:
    def test_activated_when_both_sides_accept(self, world):
        """A G3 entry's grant waits for its agreement; the requester accepts for the
        consumer, the security officer for the provider: active, the data reaches them."""
        w = world
        auth = A.grant(w, w.graded)
        assert auth["status"] == "pending_agreement" and not auth["in_force"]
        text = auth["agreement"]["text"]
        for part in (w.graded["title"], w.graded["resource_code"], w.org["title"],
                     w.other["title"], "企业信用核查", "安全义务"):
            assert part in text
        assert auth["agreement"]["problems"] == []
        assert not _sees_data(w.requester, w.graded["id"])
        done = L.act("govshare_authorization_agreement_accept", w.requester, id=auth["id"])
        assert done["status"] == "pending_agreement"
        assert done["agreement"]["accepted"]["consumer"]["user"] == w.requester["id"]
        assert done["acceptable_sides"] == []
        done = L.act("govshare_authorization_agreement_accept", w.security_officer,
                     id=auth["number"], side="provider")
        assert done["status"] == "active" and done["agreement"]["complete"]
        assert _sees_data(w.requester, w.graded["id"])
        assert [a for a, _s in _audit(auth["id"])] == [
            "created", "agreement_accepted", "agreement_accepted", "activate"]

    def test_who_may_accept(self, world):
        """A plain member, the third department and a sysadmin may not accept; one side
        accepts once; the consumer's reviewer may accept for the consumer only."""
        w = world
        auth = A.grant(w, w.graded)
        for who in (w.colleague, w.third, w.sysadmin, w.compiler):
            assert L.refused("govshare_authorization_agreement_accept", who, id=auth["id"])
        assert L.refused("govshare_authorization_agreement_accept", w.other_reviewer,
                         id=auth["id"], side="provider")
        L.act("govshare_authorization_agreement_accept", w.other_reviewer, id=auth["id"])
        with pytest.raises(tk.ValidationError):
            L.act("govshare_authorization_agreement_accept", w.requester, id=auth["id"],
                  side="consumer")

    def test_one_person_cannot_accept_for_both_sides(self, world):
        """Someone holding roles on both sides accepts one side only."""
        w = world
        L.grant(w.other, w.reviewer, "reviewer")
        auth = A.grant(w, w.graded)
        with pytest.raises(tk.ValidationError):  # which side?
            L.act("govshare_authorization_agreement_accept", w.reviewer, id=auth["id"])
        L.act("govshare_authorization_agreement_accept", w.reviewer, id=auth["id"],
              side="consumer")
        assert L.refused("govshare_authorization_agreement_accept", w.reviewer,
                         id=auth["id"], side="provider")
        assert A.show(auth["id"])["status"] == "pending_agreement"

    def test_tampered_agreement_is_detected(self, world):
        """A text changed in the database no longer matches its checksum: shown as broken,
        acceptance refused; terms changed under the agreement likewise."""
        w = world
        auth = A.grant(w, w.graded)
        row = model.Session.get(Authorization, auth["id"])
        row.agreement = {**row.agreement, "text": row.agreement["text"].replace("全省", "全国")}
        model.repo.commit()
        assert A.show(auth["id"])["agreement"]["problems"] == ["checksum"]
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_authorization_agreement_accept", w.requester, id=auth["id"])
        assert "agreement" in err.value.error_dict
        row = model.Session.get(Authorization, auth["id"])
        with pytest.raises(tk.ValidationError):
            authorizations.agreement_document(row)
        good = A.grant(w, w.graded)
        row = model.Session.get(Authorization, good["id"])
        row.items = row.items[:1]
        model.repo.commit()
        assert A.show(good["id"])["agreement"]["problems"] == ["terms"]


# -- the providing department's decisions ---------------------------------------------------------

class TestDecisions:
    def test_revoke_needs_a_reason_and_is_final(self, world):
        """Revocation: the provider's reviewer, with a reason; afterwards nothing more."""
        w = world
        auth = A.grant(w, w.entry)
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_authorization_revoke", w.reviewer, id=auth["id"], reason=" ")
        assert "reason" in err.value.error_dict
        for who in (w.other_reviewer, w.requester, w.compiler, w.third):
            assert L.refused("govshare_authorization_revoke", who, id=auth["id"], reason="x")
        done = L.act("govshare_authorization_revoke", w.reviewer, id=auth["id"],
                     reason="超范围使用")
        assert done["status"] == "revoked" and done["status_reason"] == "超范围使用"
        assert not _sees_data(w.requester, w.entry["id"])
        with pytest.raises(tk.ValidationError):
            L.act("govshare_authorization_resume", w.reviewer, id=auth["id"])
        assert _audit(auth["id"])[-1] == ("revoke", "revoked")

    def test_suspend_and_resume(self, world):
        """The security officer suspends (with a reason); only the reviewer resumes."""
        w = world
        auth = A.grant(w, w.entry)
        with pytest.raises(tk.ValidationError):
            L.act("govshare_authorization_suspend", w.security_officer, id=auth["id"])
        done = L.act("govshare_authorization_suspend", w.security_officer, id=auth["id"],
                     reason="安全检查")
        assert done["status"] == "suspended" and not _sees_data(w.requester, w.entry["id"])
        assert done["allowed_events"] == ["revoke"]  # the security officer does not resume
        assert L.refused("govshare_authorization_resume", w.security_officer, id=auth["id"])
        done = L.act("govshare_authorization_resume", w.reviewer, id=auth["id"])
        assert done["status"] == "active" and done["status_reason"] is None
        assert _sees_data(w.requester, w.entry["id"])

    def test_sysadmin_may_suspend(self, world):
        """The platform may suspend any authorization."""
        w = world
        auth = A.grant(w, w.entry)
        done = L.act("govshare_authorization_suspend", w.sysadmin, id=auth["id"],
                     reason="安全事件处置")
        assert done["status"] == "suspended"


# -- expiry ---------------------------------------------------------------------------------------

class TestExpiry:
    def test_expiry_on_a_pinned_clock(self, world, monkeypatch):
        """Past valid_until the grant stops at once (before the run); the run marks it
        expired, audited; a second run finds nothing. Only sysadmins run it."""
        w = world
        active = A.grant(w, w.entry, validity_days=30)
        pending = A.grant(w, w.graded, validity_days=30)
        later = A.grant(w, w.entry, validity_days=90)
        at = base.now() + datetime.timedelta(days=31)
        monkeypatch.setattr(base, "now", lambda: at)
        shown = A.show(active["id"])
        assert shown["status"] == "active" and shown["lapsed"] and not shown["in_force"]
        assert shown["days_left"] < 0
        assert w.entry["id"] in permissions.authorized_entry_ids(
            model.User.get(w.requester["id"]))  # the 90-day one still grants
        assert L.refused("govshare_authorization_expire", w.reviewer)
        result = L.act("govshare_authorization_expire", w.sysadmin)
        assert sorted(result["results"]) == sorted([active["number"], pending["number"]])
        assert A.show(active["id"])["status"] == "expired"
        assert A.show(pending["id"])["status"] == "expired"
        assert A.show(later["id"])["status"] == "active"
        assert _audit(active["id"])[-1] == ("expire", "expired")
        assert L.act("govshare_authorization_expire", w.sysadmin)["count"] == 0

    def test_visibility_does_not_wait_for_the_run(self, world, monkeypatch):
        """An authorization past its validity grants nothing, though still ``active``."""
        w = world
        A.grant(w, w.entry, validity_days=30)
        at = base.now() + datetime.timedelta(days=30, minutes=1)
        monkeypatch.setattr(base, "now", lambda: at)
        assert not _sees_data(w.requester, w.entry["id"])

    def test_the_command(self, world, monkeypatch, cli):
        """``ckan govshare authorizations expire`` (cron) expires and names what it expired."""
        w = world
        auth = A.grant(w, w.entry, validity_days=30)
        at = base.now() + datetime.timedelta(days=40)
        monkeypatch.setattr(base, "now", lambda: at)
        result = cli.invoke(ckan, ["govshare", "authorizations", "expire"])
        assert result.exit_code == 0, result.output
        assert f"expired {auth['number']}" in result.output
        assert "1 authorization(s) expired" in result.output
        assert A.show(auth["id"])["status"] == "expired"

    def test_the_job(self, world, monkeypatch):
        """The background job runs the same expiry as the site user."""
        w = world
        auth = A.grant(w, w.entry, validity_days=30)
        at = base.now() + datetime.timedelta(days=40)
        monkeypatch.setattr(base, "now", lambda: at)
        assert authorizations.expire_job() == 1
        assert A.show(auth["id"])["status"] == "expired"


# -- the cascades ---------------------------------------------------------------------------------

class TestCascades:
    def test_offline_suspends_and_blocks_resumption(self, world):
        """An entry going offline suspends its active and pending authorizations (both
        sides can see why); they cannot be resumed while it is offline."""
        w = world
        active = A.grant(w, w.graded)
        L.act("govshare_authorization_agreement_accept", w.requester, id=active["id"])
        L.act("govshare_authorization_agreement_accept", w.security_officer, id=active["id"])
        pending = A.grant(w, w.graded)
        revoked = A.grant(w, w.graded)
        L.act("govshare_authorization_revoke", w.reviewer, id=revoked["id"], reason="撤销")
        other = A.grant(w, w.entry)
        L.act("govshare_catalogue_request_offline", w.compiler, id=w.graded["id"],
              reason="数据停止采集")
        L.act("govshare_catalogue_approve_offline", w.reviewer, id=w.graded["id"])
        for auth in (active, pending):
            shown = A.show(auth["id"])
            assert shown["status"] == "suspended"
            assert "went offline" in shown["status_reason"] and "数据停止采集" in shown["status_reason"]
            row = model.Session.query(CaseEvent).filter(
                CaseEvent.case_id == auth["id"]).order_by(CaseEvent.id.desc()).first()
            assert (row.action, row.actor, row.data["cause"]) == (
                "suspend", w.reviewer["id"], "offline")
        assert A.show(revoked["id"])["status"] == "revoked"
        assert A.show(other["id"])["status"] == "active"
        with pytest.raises(tk.ValidationError):
            L.act("govshare_authorization_resume", w.reviewer, id=active["id"])

    def test_raised_grade_suspends_then_resumes_to_the_agreement(self, world):
        """An approved revision raising the grade suspends the entry's authorizations; resumed,
        one without an agreement waits for the agreement the new grade calls for."""
        w = world
        auth = A.grant(w, w.entry)
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], data_grade="G3",
                    share_scope=[{**A.SCOPE, "agreement_required": "true"}],
                    info_items=[{**i, "grade": "G3"} for i in w.entry["info_items"]])
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        assert A.show(auth["id"])["status"] == "active"  # nothing before the approval
        L.act("govshare_revision_approve", w.reviewer, id=rev["id"])
        shown = A.show(auth["id"])
        assert shown["status"] == "suspended" and "grade was raised" in shown["status_reason"]
        assert not _sees_data(w.requester, w.entry["id"])
        done = L.act("govshare_authorization_resume", w.reviewer, id=auth["id"])
        assert done["status"] == "pending_agreement" and done["agreement"]["checksum"]

    def test_harmless_revision_changes_nothing(self, world):
        """A revision that tightens nothing leaves the authorizations alone."""
        w = world
        auth = A.grant(w, w.entry)
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="补充说明")
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        L.act("govshare_revision_approve", w.reviewer, id=rev["id"])
        assert A.show(auth["id"])["status"] == "active"

    def test_tightened_item_suspends_those_that_grant_it(self, world):
        """An item no longer shared suspends the authorizations granting it, not the others."""
        w = world
        first, second = (i["name"] for i in w.entry["info_items"][:2])
        with_first = A.grant(w, w.entry, items=[first])
        without = A.grant(w, w.entry, items=[second])
        items = [{**i, "share_type": "not_shared",
                  "share_condition": "依据《中华人民共和国个人信息保护法》第十三条不予共享"}
                 if i["name"] == first else i
                 for i in w.entry["info_items"]]
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], info_items=items)
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        L.act("govshare_revision_approve", w.reviewer, id=rev["id"])
        shown = A.show(with_first["id"])
        assert shown["status"] == "suspended" and first in shown["status_reason"]
        assert A.show(without["id"])["status"] == "active"


# -- who sees what --------------------------------------------------------------------------------

class TestAccess:
    def test_each_side_sees_the_authorization(self, world):
        """Both departments' members and the named persons see it; a third department not."""
        w = world
        auth = A.grant(w, w.entry)
        for who in (w.reviewer, w.member, w.other_reviewer, w.requester, w.colleague,
                    w.sysadmin):
            assert L.act("govshare_authorization_show", who, id=auth["id"])["id"] == auth["id"]
        assert L.refused("govshare_authorization_show", w.third, id=auth["id"])
        assert L.refused("govshare_authorization_show", None, id=auth["id"])
        with pytest.raises(tk.ObjectNotFound):
            L.act("govshare_authorization_show", w.reviewer, id="SQZ-1999-000000")

    def test_lists_by_side(self, world):
        """我部门获得的授权 for the consumer, 我部门提供的授权 for the provider; a third
        department sees none; filters by status."""
        w = world
        auth = A.grant(w, w.entry)
        revoked = A.grant(w, w.entry)
        L.act("govshare_authorization_revoke", w.reviewer, id=revoked["id"], reason="撤销")

        def ids(who, **data):
            return [a["id"] for a in L.act("govshare_authorization_list", who, **data)["results"]]

        assert ids(w.requester, side="consumer") == [auth["id"], revoked["id"]]
        assert ids(w.requester, side="provider") == []
        assert ids(w.reviewer, side="provider", status="active") == [auth["id"]]
        assert ids(w.reviewer, side="consumer") == []
        assert ids(w.third) == [] and ids(w.third, side="consumer") == []
        assert set(ids(w.sysadmin)) == {auth["id"], revoked["id"]}
        assert L.refused("govshare_authorization_list", None)
        listed = L.act("govshare_authorization_list", w.requester, side="consumer")
        assert listed["count"] == 2 and listed["results"][0]["entry"]["title"] == w.entry["title"]
        with pytest.raises(tk.ValidationError):
            L.act("govshare_authorization_list", w.requester, side="sideways")

    def test_access_log_by_side(self, world):
        """The provider sees every access to its entries; a consumer only their own; the
        filters by entry, user and time apply; a third department sees nothing."""
        w = world
        auth = A.grant(w, w.entry)
        now = base.now()
        for user, hours in ((w.requester, 3), (w.colleague, 2), (w.requester, 1)):
            model.Session.add(AccessLog(
                entry_id=w.entry["id"], provider_org=w.org["id"], user_id=user["id"],
                user_orgs=[w.other["id"]], channel="resource_show",
                authorization_id=auth["id"], at=now - datetime.timedelta(hours=hours)))
        model.repo.commit()

        def log(who, **data):
            return L.act("govshare_access_log_list", who, **data)

        assert log(w.reviewer)["count"] == 3
        assert log(w.member, entry_id=w.entry["id"])["count"] == 3
        mine = log(w.requester)
        assert mine["count"] == 2 and {r["user"]["id"] for r in mine["results"]} == {
            w.requester["id"]}
        assert log(w.third)["count"] == 0
        assert log(w.sysadmin, user_id=w.colleague["name"])["count"] == 1
        since = (now - datetime.timedelta(hours=2, minutes=30)).isoformat()
        assert log(w.reviewer, since=since)["count"] == 2
        newest = log(w.reviewer, limit=1)["results"]
        assert newest[0]["user"]["id"] == w.requester["id"]
        assert newest[0]["entry"]["title"] == w.entry["title"]


# -- renewal --------------------------------------------------------------------------------------

class TestRenewal:
    def test_renewal_request_is_prefilled(self, world):
        """A renewal is a new request prefilled from the authorization, overrides winning,
        its parent the authorization; a revoked one is not renewed."""
        w = world
        auth = A.grant(w, w.entry, validity_days=90)
        row = authorizations.get(auth["id"])
        data = authorizations.renewal_request(row, {"validity_days": 180, "id": "x"})
        assert data["parent_id"] == auth["id"] and data["entry_id"] == w.entry["id"]
        assert data["organization_id"] == w.other["id"]
        assert data["persons"] == [w.requester["id"]] and data["validity_days"] == 180
        assert data["purpose"] == "企业信用核查" and data["items"] == auth["items"]
        assert data["basis"] == "《企业信息公示暂行条例》第十七条"
        assert "agreement_accepted" not in data
        assert authorizations.renewal_request(row, {})["validity_days"] == 90
        L.act("govshare_authorization_revoke", w.reviewer, id=auth["id"], reason="撤销")
        with pytest.raises(tk.ValidationError):
            authorizations.renewal_request(authorizations.get(auth["id"]), {})

    def test_renew_files_an_access_request(self, world):
        """govshare_authorization_renew files govshare_access_request_create's request with
        parent_id the authorization, and notes it on the authorization's timeline; the
        providing side may not renew."""
        w = world
        auth = A.grant(w, w.entry)
        assert L.refused("govshare_authorization_renew", w.reviewer, id=auth["id"])
        assert L.refused("govshare_authorization_renew", w.third, id=auth["id"])
        try:
            tk.get_action("govshare_access_request_create")
        except KeyError:
            pytest.skip("govshare_access_request_create is not there yet")
        request = L.act("govshare_authorization_renew", w.requester, id=auth["id"],
                        validity_days=180, agreement_accepted=True)
        case = cases.get_case(request["id"])
        assert case.parent_id == auth["id"] and case.entry_id == w.entry["id"]
        assert case.data["validity_days"] == 180 and case.data["basis"].startswith("《企业")
        assert _audit(auth["id"])[-1][0] == "renewal_requested"
