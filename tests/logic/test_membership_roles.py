"""Membership is part of the decision (issue #8): a govshare role ends with the CKAN membership
that supports it, in the same transaction, recorded in ``govshare_role_event``; and a role row
that outlived its membership grants nothing and notifies nobody."""
from __future__ import annotations

import contextlib

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import notify, queries
from ckanext.govshare.model import Role, RoleEvent

from .. import lifecycle as L
from ..departments import department


@pytest.fixture
def world(fresh):
    """:func:`tests.lifecycle.review_world`: two entries in review, submitted by ``compiler``."""
    return fresh(L.review_world)


def _roles(org: dict, user: dict) -> list[str]:
    rows = model.Session.query(Role.role).filter(
        Role.org_id == org["id"], Role.user_id == user["id"])
    return sorted(r[0] for r in rows)


def _events(user: dict, event: str | None = None) -> list[RoleEvent]:
    q = model.Session.query(RoleEvent).filter(RoleEvent.user_id == user["id"])
    if event:
        q = q.filter(RoleEvent.event == event)
    return q.order_by(RoleEvent.id).all()


def _capacity(org: dict, user: dict) -> str | None:
    return authz.users_role_for_group_or_org(org["id"], user["name"])


def _set_capacity(org: dict, user: dict, role: str, actor: dict | None = None) -> None:
    context = {"user": actor["name"], "ignore_auth": False} if actor else L.site()
    helpers.call_action("organization_member_create", context, id=org["id"],
                        username=user["name"], role=role)


class TestMembershipEndsRoles:
    def test_removed_reviewer_can_no_longer_approve(self, world):
        """organization_member_delete ends the reviewer's role: they cannot approve, another
        reviewer still can; the end is recorded with its actor and cause."""
        w = world
        L.act("organization_member_delete", w.sysadmin, id=w.org["id"],
              username=w.reviewer["name"])
        assert _roles(w.org, w.reviewer) == []
        (ended,) = _events(w.reviewer, "ended_by_membership")
        assert (ended.org_id, ended.role, ended.actor, ended.comment) == (
            w.org["id"], "reviewer", w.sysadmin["id"], "removed from the department")
        assert L.refused("govshare_catalogue_approve", w.reviewer, id=w.first["id"])
        L.act("govshare_catalogue_approve", w.reviewer2, id=w.first["id"])
        assert L.state(w.first["id"]) == "published"

    def test_notifications_follow_membership(self, world):
        """A removed reviewer is no longer told of steps nor counted as waiting for them."""
        w = world
        assert w.reviewer["id"] in notify._deciders(w.org["id"], None)
        assert queries.waiting_count(w.reviewer["id"]) == 2
        L.act("organization_member_delete", w.sysadmin, id=w.org["id"],
              username=w.reviewer["name"])
        assert w.reviewer["id"] not in notify._deciders(w.org["id"], None)
        assert queries.waiting_count(w.reviewer["id"]) == 0

    def test_lowered_capacity_ends_only_the_roles_it_no_longer_supports(self, world):
        """Lowered from editor to member, a reviewer who also coordinates keeps coordinating;
        raised again, the ended role does not come back by itself."""
        w = world
        L.grant(w.org, w.reviewer, "coordinator")
        _set_capacity(w.org, w.reviewer, "member")
        assert _roles(w.org, w.reviewer) == ["coordinator"]
        (ended,) = _events(w.reviewer, "ended_by_membership")
        assert (ended.role, ended.comment) == ("reviewer", "capacity lowered to member")
        assert L.refused("govshare_catalogue_approve", w.reviewer, id=w.first["id"])
        _set_capacity(w.org, w.reviewer, "editor")
        assert _roles(w.org, w.reviewer) == ["coordinator"]
        assert len(_events(w.reviewer, "ended_by_membership")) == 1

    def test_compiler_made_member_stops_compiling(self, world):
        """A compiler lowered to member loses the compiler role and may no longer submit."""
        w = world
        draft = L.entry(w.org, w.compiler)
        _set_capacity(w.org, w.compiler, "member")
        assert _roles(w.org, w.compiler) == []
        assert L.refused("govshare_catalogue_submit", w.compiler, id=draft["id"])

    def test_stronger_capacity_keeps_roles(self, world):
        """Made an administrator, a reviewer keeps the role; nothing is recorded."""
        w = world
        _set_capacity(w.org, w.reviewer, "admin")
        assert _roles(w.org, w.reviewer) == ["reviewer"]
        assert _events(w.reviewer, "ended_by_membership") == []

    def test_deleted_user_loses_every_role(self, world):
        """user_delete ends the user's roles in every department."""
        w = world
        L.grant(w.other, w.reviewer, "coordinator")
        L.act("user_delete", w.sysadmin, id=w.reviewer["id"])
        assert model.Session.query(Role).filter(Role.user_id == w.reviewer["id"]).count() == 0
        ended = _events(w.reviewer, "ended_by_membership")
        assert sorted((e.org_id, e.role, e.comment) for e in ended) == sorted([
            (w.org["id"], "reviewer", "user deleted"),
            (w.other["id"], "coordinator", "user deleted")])

    @pytest.mark.parametrize("action, cause", [("organization_delete", "department deleted"),
                                               ("organization_purge", "department purged")])
    def test_deleted_department_ends_its_roles(self, clean_db, action, cause):
        """Deleting or purging a department ends its roles; the history stays."""
        org, user = department(), factories.User()
        L.grant(org, user, "reviewer")
        helpers.call_action(action, L.site(), id=org["id"])
        model.Session.remove()
        assert model.Session.query(Role).filter(Role.org_id == org["id"]).count() == 0
        assert [(e.event, e.comment) for e in _events(user)] == [
            ("granted", None), ("ended_by_membership", cause)]

    def test_refused_removal_changes_nothing(self, world):
        """A compiler may not remove a reviewer: refused, and the role and membership stay."""
        w = world
        with pytest.raises(tk.NotAuthorized):
            L.act("organization_member_delete", w.compiler, id=w.org["id"],
                  username=w.reviewer["name"])
        model.Session.rollback()
        assert _roles(w.org, w.reviewer) == ["reviewer"]
        assert _capacity(w.org, w.reviewer) == "editor"
        assert _events(w.reviewer, "ended_by_membership") == []

    def test_one_transaction_with_the_membership(self, world):
        """The ended role, its record and the new capacity commit together: rolled back, all
        three are as before."""
        w = world
        helpers.call_action("member_create", {**L.site(), "defer_commit": True},
                            id=w.org["id"], object=w.reviewer["id"], object_type="user",
                            capacity="member")
        assert roles.user_roles(w.reviewer["id"], w.org["id"]) == []
        model.Session.rollback()
        assert _roles(w.org, w.reviewer) == ["reviewer"]
        assert _capacity(w.org, w.reviewer) == "editor"
        assert _events(w.reviewer, "ended_by_membership") == []

    def test_revoke_records_the_revoked_role_only(self, world):
        """Revoking a role lowers the capacity to what the others need; none of them ends."""
        w = world
        L.grant(w.org, w.compiler, "coordinator")
        helpers.call_action("govshare_role_revoke", L.site(), organization_id=w.org["id"],
                            user_id=w.compiler["id"], role="compiler")
        assert _capacity(w.org, w.compiler) == "member"
        assert roles.user_roles(w.compiler["id"], w.org["id"]) == ["coordinator"]
        assert [(e.event, e.role) for e in _events(w.compiler)] == [
            ("granted", "compiler"), ("granted", "coordinator"), ("revoked", "compiler")]


class TestHistory:
    def test_grant_change_and_revoke_are_recorded(self, clean_db):
        """Granting, changing a compiler's units and revoking each append one event with the
        actor and the units; granting again unchanged records nothing."""
        org, user, admin = department(), factories.User(), factories.User()
        _set_capacity(org, admin, "admin")
        as_admin = {"user": admin["name"], "ignore_auth": False}
        for units in (["BGS"], ["DJZCC"], ["DJZCC"]):
            helpers.call_action("govshare_role_grant", as_admin, organization_id=org["id"],
                                user_id=user["id"], role="compiler", units=units)
        helpers.call_action("govshare_role_revoke", as_admin, organization_id=org["id"],
                            user_id=user["id"], role="compiler")
        history = helpers.call_action("govshare_role_event_list", as_admin,
                                      organization_id=org["name"])
        assert history["count"] == 3
        assert [(e["event"], e["units"], e["actor"]) for e in history["results"]] == [
            ("revoked", ["DJZCC"], admin["id"]), ("units_changed", ["DJZCC"], admin["id"]),
            ("granted", ["BGS"], admin["id"])]
        page = helpers.call_action("govshare_role_event_list", as_admin,
                                   organization_id=org["id"], limit=1, offset=1)
        assert [e["event"] for e in page["results"]] == ["units_changed"]

    def test_who_reads_the_history(self, world):
        """A department's members read its role history, a user their own; others are
        refused."""
        w = world
        for user in (w.member, w.coordinator, w.sysadmin):
            L.act("govshare_role_event_list", user, organization_id=w.org["id"])
        mine = L.act("govshare_role_event_list", w.outsider, user_id=w.outsider["id"])
        assert mine == {"count": 0, "results": []}
        for user, data in ((w.outsider, {"organization_id": w.org["id"]}),
                           (w.other_reviewer, {"organization_id": w.org["id"]}),
                           (w.member, {"user_id": w.reviewer["id"]}),
                           (None, {"organization_id": w.org["id"]})):
            assert L.refused("govshare_role_event_list", user, **data)

    def test_history_is_append_only(self, world):
        """The database refuses to change or delete a history row, or to empty the table."""
        w = world
        for sql in ("UPDATE govshare_role_event SET comment = 'x'",
                    "DELETE FROM govshare_role_event", "TRUNCATE govshare_role_event"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with model.meta.engine.begin() as conn:
                    conn.execute(sa.text(sql))
        assert len(_events(w.reviewer)) == 1


class TestRolesInForce:
    def _drop_membership(self, org: dict, user: dict, *, capacity: str | None = None) -> None:
        """Change the membership behind the extension's back (as a row written before the
        membership rule, or by hand, would be)."""
        change = ("state = 'deleted'" if capacity is None
                  else f"capacity = '{capacity}'")
        model.Session.execute(sa.text(
            f"UPDATE member SET {change} WHERE table_name = 'user' AND table_id = :u"
            " AND group_id = :g"), {"u": user["id"], "g": org["id"]})
        model.Session.commit()

    def test_a_role_without_membership_grants_nothing(self, world):
        """A reviewer row whose membership is gone: no role, no approval, no notice."""
        w = world
        self._drop_membership(w.org, w.reviewer)
        assert _roles(w.org, w.reviewer) == ["reviewer"]  # the row is still there
        assert not roles.has_role(w.reviewer["id"], w.org["id"], "reviewer")
        assert roles.user_roles(w.reviewer["id"], w.org["id"]) == []
        assert roles.actor_roles(w.reviewer["id"], w.org["id"], None) == set()
        assert not roles.has_role_anywhere(w.reviewer["id"], ["reviewer"])
        assert L.refused("govshare_catalogue_approve", w.reviewer, id=w.first["id"])
        assert w.reviewer["id"] not in notify._deciders(w.org["id"], None)
        assert queries.waiting_count(w.reviewer["id"]) == 0
        listed = {(r["user_id"], r["role"]): r["in_force"] for r in helpers.call_action(
            "govshare_role_list", L.site(), organization_id=w.org["id"])}
        assert listed[(w.reviewer["id"], "reviewer")] is False
        assert listed[(w.reviewer2["id"], "reviewer")] is True

    def test_a_role_needs_its_capacity(self, world):
        """A compiler row under member capacity compiles nothing; a coordinator under member
        capacity still coordinates."""
        w = world
        self._drop_membership(w.org, w.compiler, capacity="member")
        assert roles.compiler_units(w.compiler["id"], w.org["id"]) == []
        assert w.compiler["id"] not in notify._assignees(w.org["id"], "DJZCC")
        assert roles.user_roles(w.coordinator["id"], w.org["id"]) == ["coordinator"]

    def test_the_check_is_part_of_the_query(self, world):
        """The membership condition adds no query: has_role_anywhere is one statement."""
        w = world
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        engine = model.Session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", record)
        with contextlib.ExitStack() as stack:
            stack.callback(sa.event.remove, engine, "before_cursor_execute", record)
            assert roles.has_role_anywhere(w.reviewer["id"], ["reviewer"])
        assert len(statements) == 1 and "member" in statements[0]
