"""The audit trail: append-only in the database, one row per event, filtered and scoped lists."""
from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import helpers

from .. import database
from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(L.world)


def _published(w):
    entry = L.entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
    return entry


class TestAppendOnly:
    def test_update_and_delete_are_refused_by_the_database(self, world):
        """UPDATE and DELETE of an audit row fail in PostgreSQL itself, for the app too."""
        _published(world)
        for statement in ("UPDATE govshare_audit SET comment = 'x'", "DELETE FROM govshare_audit"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                model.Session.execute(sa.text(statement))
            model.Session.rollback()
        assert model.Session.execute(sa.text("SELECT count(*) FROM govshare_audit")).scalar() == 2

    def test_truncate_is_refused_by_the_database(self, world):
        """TRUNCATE fails too, alone, among other tables, through CASCADE and with RESTART
        IDENTITY: the application's database user cannot empty the trail."""
        _published(world)
        for statement in ("TRUNCATE govshare_audit",
                          "TRUNCATE govshare_lifecycle, govshare_audit RESTART IDENTITY",
                          "TRUNCATE govshare_audit CASCADE"):
            with pytest.raises(sa.exc.DBAPIError, match="govshare_audit is append-only"):
                model.Session.execute(sa.text(statement))
            model.Session.rollback()
        assert model.Session.execute(sa.text("SELECT count(*) FROM govshare_audit")).scalar() == 2
        assert model.Session.execute(sa.text(
            "SELECT count(*) FROM govshare_lifecycle")).scalar() == 1

    def test_only_the_owner_lifting_the_guard_empties_it(self, world):
        """The fixture's way (tests/database.py): the owner disables the TRUNCATE guard inside
        its own transaction; once committed, the guard is on again and TRUNCATE refused."""
        _published(world)
        assert database.guarded_tables(model.Session) == [
            "govshare_access_log", "govshare_audit", "govshare_case_event", "govshare_role_event"]
        database.truncate_govshare(model.Session)
        assert model.Session.execute(sa.text("SELECT count(*) FROM govshare_audit")).scalar() == 0
        enabled = model.Session.execute(sa.text(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'govshare_no_truncate'"
            " AND tgrelid = 'govshare_audit'::regclass")).scalar()
        assert enabled == "O"  # fires on origin (normal) sessions: enabled
        model.Session.execute(sa.text(
            "INSERT INTO govshare_audit (entry_id, action) VALUES ('e', 'imported')"))
        model.Session.commit()
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            model.Session.execute(sa.text("TRUNCATE govshare_audit"))
        model.Session.rollback()


class TestRows:
    def test_each_transition_records_one_row(self, world):
        """submit and approve: one row each, states, actor, comment, timezone-aware time."""
        w = world
        entry = L.entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=entry["id"], reason="首次编制")
        L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        rows = helpers.call_action("govshare_audit_list", L.site(), entry_id=entry["name"])
        assert rows["count"] == 2
        approve, submit = rows["results"]
        assert (submit["action"], submit["from_state"], submit["to_state"]) == (
            "submit", "draft", "in_review")
        assert submit["actor"] == w.compiler["id"] and submit["comment"] == "首次编制"
        assert (approve["action"], approve["to_state"], approve["actor"]) == (
            "approve", "published", w.reviewer["id"])
        assert approve["organization_id"] == w.org["id"]
        assert datetime.datetime.fromisoformat(approve["at"]).utcoffset() is not None

    def test_a_refused_transition_records_nothing(self, world):
        """An illegal event leaves no trace in the trail."""
        entry = L.entry(world.org, world.compiler)
        with pytest.raises(tk.ValidationError):
            L.act("govshare_catalogue_approve", world.reviewer, id=entry["id"])
        assert helpers.call_action("govshare_audit_list", L.site())["count"] == 0


class TestList:
    def test_filters(self, world):
        """By entry, department, actor, action and period."""
        w = world
        one, two = _published(w), L.entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=two["id"])

        def count(**filters):
            return helpers.call_action("govshare_audit_list", L.site(), **filters)["count"]

        assert count() == 3
        assert count(entry_id=one["id"]) == 2
        assert count(organization_id=w.org["name"]) == 3
        assert count(actor=w.reviewer["name"]) == 1
        assert count(action="submit") == 2
        now = datetime.datetime.now(datetime.timezone.utc)
        assert count(since=(now - datetime.timedelta(hours=1)).isoformat()) == 3
        assert count(until=(now - datetime.timedelta(hours=1)).isoformat()) == 0
        assert count(limit=1, offset=0) == 3
        assert len(helpers.call_action("govshare_audit_list", L.site(), limit=1)["results"]) == 1

    def test_bad_period_names_the_field(self, world):
        """An unreadable date is a bilingual error on its field."""
        with pytest.raises(tk.ValidationError) as err:
            helpers.call_action("govshare_audit_list", L.site(), since="yesterday")
        assert "since" in err.value.error_dict
        assert "ISO 8601" in err.value.error_dict["since"][0]

    def test_department_members_see_their_department(self, world):
        """A member sees their department's rows; another department's user sees none."""
        w = world
        _published(w)
        assert L.act("govshare_audit_list", w.member)["count"] == 2
        assert L.act("govshare_audit_list", w.member, organization_id=w.org["id"])["count"] == 2
        assert L.act("govshare_audit_list", w.other_reviewer)["count"] == 0

    def test_other_department_is_refused(self, world):
        """Asking for another department's trail (or an entry of it) is refused."""
        w = world
        entry = _published(w)
        assert L.refused("govshare_audit_list", w.other_reviewer, organization_id=w.org["id"])
        assert L.refused("govshare_audit_list", w.other_reviewer, entry_id=entry["id"])
        assert L.refused("govshare_audit_list", w.outsider, entry_id=entry["id"])

    def test_anonymous_is_refused(self, world):
        """The trail is never public."""
        assert L.refused("govshare_audit_list", None)

    def test_sysadmin_sees_all(self, world):
        """Sysadmins see every department's rows."""
        w = world
        _published(w)
        other_entry = L.entry(w.other, w.other_compiler)
        L.act("govshare_catalogue_submit", w.other_compiler, id=other_entry["id"])
        assert L.act("govshare_audit_list", w.sysadmin)["count"] == 3


def test_migration_down_and_up(clean_db, migrate_db_for):
    """The lifecycle migration downgrades (tables and trigger function gone) and upgrades again."""
    def exists(name):
        return model.Session.execute(
            sa.text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}).scalar()

    model.Session.remove()
    migrate_db_for("govshare", "98bb0a00a455", False)
    assert not exists("govshare_audit") and not exists("govshare_revision")
    assert not model.Session.execute(sa.text(
        "SELECT count(*) FROM pg_proc WHERE proname = 'govshare_audit_append_only'")).scalar()
    model.Session.remove()
    migrate_db_for("govshare")
    assert exists("govshare_audit") and exists("govshare_lifecycle") and exists("govshare_revision")
    model.Session.remove()
