"""Fields whose change needs no review (issue #4 §2, ``ckanext.govshare.revision.no_review_fields``):
an edit of a published entry confined to them is applied live, versioned and audited; any
other edit goes whole to a pending revision; a bad option stops CKAN at startup."""
from __future__ import annotations

import contextlib

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import pytest
from ckan.exceptions import CkanConfigurationException
from ckan.tests import factories, helpers

from .. import lifecycle as L

OPTION = "ckanext.govshare.revision.no_review_fields"


@pytest.fixture
def world(fresh):
    return fresh(L.published_world)


def _live(w):
    return L.live(w.entry["id"])


def _version(w):
    return L.act("package_show", w.member, id=w.entry["id"])["govshare_lifecycle"]["version"]


def _audit(w, action):
    return helpers.call_action("govshare_audit_list", L.site(), entry_id=w.entry["id"],
                               action=action)["results"]


def _open_revisions(w):
    return helpers.call_action("govshare_revision_list", L.site(), entry_id=w.entry["id"],
                               state="open")["results"]


class TestDefault:
    def test_every_change_is_reviewed(self, world):
        """Without the option an edit of a published entry becomes a revision (nothing applied)."""
        w = world
        before = _live(w)
        result = L.act("package_patch", w.compiler, id=w.entry["id"], notes="改后的摘要")
        assert result["govshare_revision"]["state"] == "draft"
        assert _live(w)["notes"] == before["notes"]
        assert _version(w) == 1
        assert _audit(w, "updated_without_review") == []


@pytest.mark.ckan_config(OPTION, "notes update_cycle")
class TestConfigured:
    def test_no_review_field_is_applied_live(self, world):
        """A change of configured fields only is live at once, version 1 → 2, audited with its diff."""
        w = world
        before = _live(w)
        result = L.act("package_patch", w.compiler, id=w.entry["id"], notes="免审修改的摘要",
                       update_cycle="monthly" if before["update_cycle"] != "monthly" else "yearly")
        assert "govshare_revision" not in result
        assert result["notes"] == "免审修改的摘要"
        live = _live(w)
        assert live["notes"] == "免审修改的摘要" and live["catalogue_state"] == "published"
        assert live["title"] == before["title"]
        assert _version(w) == 2
        assert _open_revisions(w) == []
        [row] = _audit(w, "updated_without_review")
        assert row["actor"] == w.compiler["id"]
        assert row["from_state"] == row["to_state"] == "published"
        assert {d["field"] for d in row["diff"]} == {"notes", "update_cycle"}
        notes = next(d for d in row["diff"] if d["field"] == "notes")
        assert notes["old"] == before["notes"] and notes["new"] == "免审修改的摘要"
        assert L.act("package_search", w.outsider, q="免审修改的摘要")["count"] == 1

    def test_through_the_api(self, app, world):
        """The same edit posted to the action API by the compiler is applied live."""
        w = world
        token = factories.APIToken(user=w.compiler["name"])["token"]
        response = app.post("/api/3/action/package_patch", headers={"Authorization": token},
                            json={"id": w.entry["id"], "notes": "经接口免审修改"}, status=200)
        assert response.json["result"]["notes"] == "经接口免审修改"
        assert _live(w)["notes"] == "经接口免审修改"
        assert _version(w) == 2 and len(_audit(w, "updated_without_review")) == 1

    def test_mixed_change_goes_whole_to_a_revision(self, world):
        """One field outside the option sends the whole edit to review; nothing is applied."""
        w = world
        before = _live(w)
        result = L.act("package_patch", w.compiler, id=w.entry["id"], notes="混合修改",
                       title="企业登记信息（更名）")
        rev = L.act("govshare_revision_show", w.reviewer, id=result["govshare_revision"]["id"])
        assert {d["field"] for d in rev["diff"]} == {"notes", "title"}
        live = _live(w)
        assert live["notes"] == before["notes"] and live["title"] == before["title"]
        assert _version(w) == 1
        assert _audit(w, "updated_without_review") == []

    def test_security_field_is_always_reviewed(self, world):
        """A change of the open condition goes to review even next to a no-review field."""
        w = world
        result = L.act("package_patch", w.compiler, id=w.entry["id"], notes="改",
                       open_condition="经申请审核后向社会开放明细数据")
        assert result["govshare_revision"]["state"] == "draft"
        assert _version(w) == 1

    def test_open_revision_takes_the_edit(self, world):
        """While a revision is open, a no-review edit joins it instead of overtaking it."""
        w = world
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"],
                    title="企业登记信息（修订）")
        before = _live(w)
        result = L.act("package_patch", w.compiler, id=w.entry["id"], notes="并入变更的摘要")
        assert result["govshare_revision"]["id"] == rev["id"]
        assert _live(w)["notes"] == before["notes"] and _version(w) == 1
        shown = L.act("govshare_revision_show", w.reviewer, id=rev["id"])
        assert shown["proposed"]["notes"] == "并入变更的摘要"

    def test_invalid_value_is_refused_and_nothing_recorded(self, world):
        """The live edit is validated like package_update; a refusal leaves no version, no row."""
        w = world
        with pytest.raises(tk.ValidationError) as err:
            L.act("package_patch", w.compiler, id=w.entry["id"], update_cycle="hourly")
        assert "update_cycle" in err.value.error_dict
        assert _version(w) == 1
        assert _audit(w, "updated_without_review") == []

    def test_others_may_not_edit(self, world):
        """Only whoever may edit the entry (core package_update) edits it without review."""
        w = world
        assert L.refused("package_patch", w.other_reviewer, id=w.entry["id"], notes="x")
        assert L.refused("package_patch", w.member, id=w.entry["id"], notes="x")
        assert _version(w) == 1

    def test_later_revision_is_based_on_the_new_version(self, world):
        """A revision after a live edit starts from it and is approved against version 2."""
        w = world
        L.act("package_patch", w.compiler, id=w.entry["id"], notes="先免审修改")
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"],
                    title="企业登记信息（再修订）")
        assert rev["base_version"] == 2 and rev["proposed"]["notes"] == "先免审修改"
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        assert L.act("govshare_revision_approve", w.reviewer, id=rev["id"])["version"] == 3


@contextlib.contextmanager
def _loading(monkeypatch, **options):
    """Load the plugins with ``options`` set , then again as configured."""
    for key, value in options.items():
        monkeypatch.setitem(tk.config, key.replace("__", "."), value)
    try:
        yield
    finally:
        monkeypatch.undo()
        plugins.load_all()


class TestStartup:
    @pytest.mark.parametrize(("value", "message"), [
        ("notes no_such_field", "not fields of the dataset schema: no_such_field"),
        ("notes share_type", "share_type always needs review"),
        ("data_grade", "data_grade always needs review"),
    ])
    def test_bad_option_stops_loading(self, monkeypatch, value, message):
        """Loading the plugins with a bad option raises a configuration error naming it."""
        with _loading(monkeypatch, **{OPTION: value}), \
                pytest.raises(CkanConfigurationException, match=f"{OPTION}: .*{message}"):
            plugins.load_all()

    def test_second_stage_field_stops_loading(self, monkeypatch):
        """A field the second-stage conditions read cannot be a no-review field."""
        with _loading(monkeypatch, **{OPTION: "notes update_cycle",
                                      "ckanext.govshare.lifecycle.second_stage":
                                      "update_cycle=daily"}), \
                pytest.raises(CkanConfigurationException, match="update_cycle.*second review"):
            plugins.load_all()

    def test_good_option_loads(self, monkeypatch, world):
        """Plain descriptive fields are accepted at startup and take effect: an edit confined to
        one of them is applied live and audited as updated_without_review."""
        w = world
        before = _live(w)
        with _loading(monkeypatch, **{OPTION: "notes tag_string update_cycle source_system"}):
            plugins.load_all()
            result = L.act("package_patch", w.compiler, id=w.entry["id"],
                           source_system="企业登记全程电子化系统（新）")
            assert "govshare_revision" not in result
            live = _live(w)
            assert live["source_system"] == "企业登记全程电子化系统（新）"
            assert live["notes"] == before["notes"] and live["catalogue_state"] == "published"
            assert _version(w) == 2 and _open_revisions(w) == []
            [row] = _audit(w, "updated_without_review")
            assert row["actor"] == w.compiler["id"]
            assert [(d["field"], d["old"], d["new"]) for d in row["diff"]] == [
                ("source_system", before.get("source_system"), "企业登记全程电子化系统（新）")]
