"""我的工作台: one list of every to-do of the user across the lifecycle and the sharing flows,
soonest due first (overdue first), with working days left; the header's badge counts the
same to-dos with one query per kind; several reviews are decided at once."""
from __future__ import annotations

import datetime
import re

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.govshare.model.sharing import Case
from ckanext.govshare.portal import workbench

from .. import lifecycle as L
from ..workbench_world import build, new_entry

# the test client keeps the login cookie of set_session_user for "localhost"; the world's
# authorization runs 30 days, so the notice window must reach past its end; pages in Chinese
pytestmark = [pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
              pytest.mark.ckan_config("ckanext.govshare.workbench.expiry_notice_days", "40"),
              pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")]

BADGE = re.compile(r'govshare-workbench-count">(\d+)</span>')


@pytest.fixture
def world(fresh):
    return fresh(build)


def _todo(user, **filters):
    return L.act("govshare_workbench_list", user, **filters)


def _kinds(found):
    return [(i["kind"], i["id"]) for i in found["results"]]


class TestList:
    def test_reviewer(self, world):
        """A reviewer has the reviews, the revision and the offline request they may decide
        and the demand to their department; the overdue review first, then by due date."""
        found = _todo(world.reviewer)
        kinds = _kinds(found)
        assert kinds[0] == ("review", world.late["id"])
        assert set(kinds) == {
            ("review", world.late["id"]), ("review", world.review["id"]),
            ("review", world.graded_review["id"]), ("revision_review", world.revision["id"]),
            ("offline_review", world.leaving["id"]), ("demand", world.demand["id"])}
        first = found["results"][0]
        assert first["overdue"] and first["days_left"] < 0
        assert first["decisions"] == ["approve", "return"]
        assert {i["kind"] for i in found["results"] if i["decisions"]} == {
            "review", "revision_review", "offline_review"}
        rest = found["results"][1:]
        assert all(not i["overdue"] and i["days_left"] >= 0 for i in rest)
        dues = [i["due_at"] for i in found["results"]]
        assert all(dues) and [datetime.datetime.fromisoformat(d) for d in dues] == sorted(
            datetime.datetime.fromisoformat(d) for d in dues)
        assert found["counts"] == {"review": 3, "revision_review": 1, "offline_review": 1,
                                   "demand": 1}

    def test_compiler(self, world):
        """The compiler has their unit's draft, returned entry (with the reason), update
        required (with its deadline) and revision draft; nothing to decide."""
        found = _todo(world.compiler)
        by_kind = {i["kind"]: i for i in found["results"]}
        assert set(_kinds(found)) == {
            ("draft", world.draft["id"]), ("returned", world.returned["id"]),
            ("update_required", world.changed["id"]),
            ("revision_draft", world.revision_draft["id"])}
        assert by_kind["returned"]["reason"] == "补充信息项说明"
        assert by_kind["update_required"]["due_at"] and by_kind["update_required"]["days_left"] > 0
        assert found["results"][0]["kind"] == "update_required"  # dated before undated
        assert not any(i["decisions"] for i in found["results"])

    def test_department_admin_who_compiles(self, world):
        """A department administrator has the entries they compiled (a draft, one returned
        with its reason) and the draft of a unit no compiler is bound to (XXZX), not the
        compilers' drafts; the unit's compiler has the administrator's entries too, not the
        other unit's; an administrator of another department has none of them; the badge
        counts the same."""
        admin, other_admin = factories.User(), factories.User()
        for who, org in ((admin, world.org), (other_admin, world.other)):
            L.act("organization_member_create", world.sysadmin, id=org["id"],
                  username=who["name"], role="admin")
        own, returned = L.entry(world.org, admin), L.entry(world.org, admin)
        L.act("govshare_catalogue_submit", world.compiler, id=returned["id"])
        L.act("govshare_catalogue_return", world.reviewer, id=returned["id"], reason="补充依据")
        orphan = L.entry(world.org, None, unit="XXZX")
        model.repo.commit()
        found = _todo(admin)
        assert set(_kinds(found)) == {("draft", own["id"]), ("returned", returned["id"]),
                                      ("draft", orphan["id"])}
        assert {i["reason"] for i in found["results"] if i["kind"] == "returned"} == {"补充依据"}
        assert workbench.count(model.User.get(admin["id"])) == 3
        mine = set(_kinds(_todo(world.compiler)))
        assert {("draft", own["id"]), ("returned", returned["id"])} <= mine
        assert ("draft", orphan["id"]) not in mine
        assert _todo(other_admin)["results"] == []

    def test_security_officer(self, world):
        """The security officer has the grade sign-off of the G3 entry in review."""
        [signoff] = model.Session.query(Case).filter(
            Case.kind == "grade_signoff", Case.entry_id == world.graded_review["id"]).all()
        found = _todo(world.security_officer)
        assert _kinds(found) == [("grade_signoff", signoff.id)]
        assert found["results"][0]["number"] == signoff.number
        assert found["results"][0]["days_left"] >= 0

    def test_compiler_of_another_unit_and_outsiders(self, world):
        """A compiler of another unit and the other department's compiler have none of this;
        the consuming reviewer and the requester have the authorization about to end."""
        assert _todo(world.compiler2)["results"] == []
        assert _todo(world.other_compiler)["results"] == []
        for who in (world.other_reviewer, world.requester):
            found = _todo(who)
            assert _kinds(found) == [("authorization_expiring", world.auth["id"])]
            assert found["results"][0]["title"] == world.entry["title"]

    def test_filters(self, world):
        """Kind, department and unit narrow the list; the counts stay those of every kind."""
        found = _todo(world.reviewer, kind="review")
        ids = [i["id"] for i in found["results"]]
        assert ids[0] == world.late["id"]
        assert set(ids[1:]) == {world.review["id"], world.graded_review["id"]}
        assert found["counts"]["demand"] == 1
        assert _todo(world.reviewer, organization_id=world.other["name"])["results"] == []
        assert _todo(world.compiler, unit="BGS")["results"] == []
        assert len(_todo(world.compiler, unit="DJZCC")["results"]) == 4
        with pytest.raises(Exception, match="kind"):
            _todo(world.reviewer, kind="nonsense")

    def test_anonymous_refused(self, world):
        """Only a signed-in user has a workbench."""
        assert L.refused("govshare_workbench_list", None)


class TestQueries:
    @staticmethod
    def _measured(call):
        """``call()``'s answer and how many SQL statements it ran."""
        seen: list[str] = []
        engine = model.Session.get_bind()

        def count(conn, cursor, statement, *args):
            seen.append(statement)
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            found = call()
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return found, len(seen)

    def _statements(self, user):
        return self._measured(lambda: _todo(user))

    def _count_statements(self, user):
        return self._measured(lambda: workbench.count(model.User.get(user["id"])))

    def test_header_count_is_one_query_per_kind(self, world):
        """The badge's count is the list's length, in one SQL count per kind of to-do (and
        the sharing cases' one read of the user's roles), however many there are."""
        before, n_before = self._count_statements(world.reviewer)
        for _ in range(3):
            pkg = new_entry(world)
            L.act("govshare_catalogue_submit", world.compiler, id=pkg["id"])
        model.repo.commit()
        after, n_after = self._count_statements(world.reviewer)
        assert before == 6 and after == 9 == len(_todo(world.reviewer)["results"])
        assert n_before == n_after <= 6

    def test_no_n_plus_one(self, world):
        """The list costs the same number of statements with three more to-dos of each
        catalogue kind: one query per kind, none per row."""
        before, n_before = self._statements(world.reviewer)
        cbefore, c_before = self._statements(world.compiler)
        for _ in range(3):
            pkg = new_entry(world)
            L.act("govshare_catalogue_submit", world.compiler, id=pkg["id"])
            new_entry(world)
        model.repo.commit()
        after, n_after = self._statements(world.reviewer)
        cafter, c_after = self._statements(world.compiler)
        assert len(after["results"]) == len(before["results"]) + 3
        assert len(cafter["results"]) == len(cbefore["results"]) + 3
        assert (n_after, c_after) == (n_before, c_before)
        assert n_after <= 12


class TestPage:
    def test_header_badge_is_the_total(self, app, world):
        """Every page's header counts the user's to-dos, the same as the list."""
        for who in (world.reviewer, world.compiler, world.other_reviewer):
            app.set_session_user(who["id"])
            body = app.get("/dataset/", status=200).body
            assert int(BADGE.search(body).group(1)) == len(_todo(who)["results"])
        app.set_session_user(world.compiler2["id"])
        assert not BADGE.search(app.get("/dataset/", status=200).body)

    def test_page_rows_and_deadlines(self, app, world):
        """The page lists the to-dos with their deadlines and links, overdue marked."""
        app.set_session_user(world.reviewer["id"])
        body = app.get("/dashboard/workbench", status=200).body
        assert body.count('class="govshare-todo ') == 6
        assert "govshare-overdue" in body
        assert re.search(r"已超期 \d+ 个工作日", body)
        assert re.search(r"剩余 \d+ 个工作日", body)
        assert "目录审核" in body and "变更审核" in body and "下线审核" in body
        assert f'/dataset/{world.late["id"]}/lifecycle' in body
        assert f'/govshare/revision/{world.revision["id"]}' in body
        assert f'/govshare/demand/{world.demand["id"]}' in body or world.demand["number"] in body

    def test_anonymous_page(self, app, world):
        """A visitor is asked to log in."""
        app.get("/dashboard/workbench", status=403)

    def test_batch_approve(self, app, world):
        """Two selected reviews and the offline request, offered for selection, are approved
        at once from the workbench: the entries are published, the other one goes offline."""
        app.set_session_user(world.reviewer["id"])
        page = app.get("/dashboard/workbench", status=200).body
        selected = [f"entry:{world.late['id']}", f"entry:{world.review['id']}",
                    f"offline:{world.leaving['id']}"]
        assert all(f'name="selected" value="{ref}"' in page for ref in selected)
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        body = app.post("/dashboard/workbench", data={
            "_csrf_token": token, "decision": "approve", "selected": selected},
            status=200, follow_redirects=True).body
        assert "已处理 3 项。" in body
        assert L.state(world.late["id"]) == L.state(world.review["id"]) == "published"
        assert L.state(world.leaving["id"]) == "offline"
        left = {(i["kind"], i["id"]) for i in _todo(world.reviewer)["results"]}
        assert not {ref.partition(":")[2] for ref in selected} & {i for _k, i in left}
        assert ("review", world.graded_review["id"]) in left

    def test_compiler_page(self, app, world):
        """The compiler's page: the returned entry with its reason, the kinds and states in
        Chinese, no batch form (nothing to decide)."""
        app.set_session_user(world.compiler["id"])
        body = app.get("/dashboard/workbench", status=200).body
        assert "被退回的目录条目" in body and "补充信息项说明" in body
        assert "编制中" in body and "变更编制中" in body and "无办理时限" in body
        assert 'name="decision"' not in body
