"""Catalogue entries through the action API: generated fields, every rule, codes, compiling.

Every refused entry must leave nothing behind: no dataset, no search-index row, no issued
resource code and no consumed sequence number.
"""
from __future__ import annotations

import copy
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import requests
import sqlalchemy as sa
from ckan.tests import helpers

from ckanext.govshare import demo

from .. import factories as f

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"^(\d)(\d{2})(\d{3})([0-9A-Za-z]*)/(\d{6})$")
ROOT = Path(__file__).resolve().parents[2]


# --- helpers ---------------------------------------------------------------------------------


def _scalar(sql: str, **params: Any) -> Any:
    return model.Session.execute(sa.text(sql), params).scalar()


def _stored() -> dict[str, Any]:
    """What a create can leave behind: datasets, index rows, issued codes, sequences."""
    model.Session.rollback()
    return {
        "packages": model.Session.query(model.Package).count(),
        "index": _scalar("SELECT count(*) FROM govshare_search_index"),
        "codes": _scalar("SELECT count(*) FROM govshare_resource_code"),
        "sequences": dict(model.Session.execute(sa.text(
            "SELECT prefix, last_value FROM govshare_code_sequence")).all()),
    }


def _messages(errors: dict[str, Any], path: str) -> list[str]:
    """The messages at ``path`` (``share_condition``, ``info_items.1.name``) of an error dict."""
    node: Any = errors
    for part in path.split("."):
        if isinstance(node, list):
            index = int(part)
            node = node[index] if index < len(node) else {}
        elif isinstance(node, dict):
            node = node.get(part, {})
    if isinstance(node, list) and all(isinstance(m, str) for m in node):
        return node
    return []


def _refused_entry(context: dict[str, Any], data: dict[str, Any], path: str) -> list[str]:
    """Create ``data``, expect a ValidationError at ``path`` in one language (the portal's
    default locale, English here) and nothing stored."""
    before = _stored()
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("package_create", context, **data)
    errors = raised.value.error_dict
    messages = _messages(errors, path)
    assert messages, f"no error at {path}: {errors}"
    for message in messages:
        assert re.search(r"[A-Za-z]{3}", message), message
    assert _stored() == before
    return messages


def _code(pkg: dict[str, Any]) -> tuple[str, int]:
    """(prefix, sequence number) of an entry's resource code."""
    match = CODE.match(pkg["resource_code"])
    assert match, pkg["resource_code"]
    return "".join(match.groups()[:4]), int(match.group(5))


def _world():
    """Departments SAMR and GAT, each with an admin; SAMR with a compiler of SAMR01, a compiler
    of SAMR02 and a reviewer; GAT with a compiler of GAT03."""
    samr, gat = f.department(f.SAMR), f.department(f.GAT)
    return SimpleNamespace(
        samr=samr, gat=gat,
        samr_admin=f.user(samr, capacity="admin"), gat_admin=f.user(gat, capacity="admin"),
        compiler=f.user(samr, "compiler", units=["SAMR01"]),
        compiler2=f.user(samr, "compiler", units=["SAMR02"]),
        reviewer=f.user(samr, "reviewer"),
        gat_compiler=f.user(gat, "compiler", units=["GAT03"]),
    )


@pytest.fixture
def world(fresh):
    return fresh(_world)


# --- a complete entry ------------------------------------------------------------------------


class TestCreate:
    def test_compiler_creates_a_complete_entry(self, world):
        """A compiler's entry gets its code, name, provider code and the draft state."""
        data = f.entry_dict()
        assert "name" not in data and "resource_code" not in data
        pkg = helpers.call_action("package_create", f.as_user(world.compiler), **data)

        assert pkg["resource_code"] == "102001/000001"
        assert pkg["name"] == "102001-000001"
        assert pkg["provider_code"] == demo.DEPARTMENTS[f.SAMR]["uscc"] == world.samr["uscc"]
        assert pkg["catalogue_state"] == "draft"
        assert pkg["owner_org"] == world.samr["id"]
        assert pkg["provider_unit"] == "SAMR01"
        assert not pkg.get("issued")

        shown = helpers.call_action("package_show", f.site(), id=pkg["name"])
        assert [i["name"] for i in shown["info_items"]] == [
            i["name"] for i in data["info_items"]]
        assert shown["info_items"][0] == {
            "name": "统一社会信用代码", "name_en": "uscc", "data_type": "C", "length": 18,
            "share_type": "unconditional", "grade": "G2", "is_sensitive": "false",
            "description": "统一社会信用代码（企业登记信息）"}
        assert [(r["name"], r["share_mode_type"]) for r in shown["resources"]] == [
            ("企业登记信息数据", "table")]
        assert _scalar("SELECT code FROM govshare_resource_code WHERE package_id = :id",
                       id=pkg["id"]) == "102001/000001"
        assert _scalar("SELECT count(*) FROM govshare_search_index WHERE package_id = :id",
                       id=pkg["id"]) == 1

    def test_code_follows_the_classification(self, world):
        """The code is {class}{item}{subitem}{detail}/{seq:06}, one sequence per prefix."""
        first = f.create_entry(world.compiler, catalog_detail="A1")
        second = f.create_entry(world.compiler, title="企业登记信息（二）", catalog_detail="A1")
        other = f.create_entry(world.compiler, title="企业登记信息（三）", catalog_subitem="009")
        assert [first["resource_code"], second["resource_code"], other["resource_code"]] == [
            "102001A1/000001", "102001A1/000002", "102009/000001"]
        assert second["name"] == "102001a1-000002"

    def test_given_name_is_kept(self, world):
        """A client's own URL name is kept; only an absent one is generated."""
        pkg = f.create_entry(world.compiler, name="qiye-dengji")
        assert pkg["name"] == "qiye-dengji"
        assert pkg["resource_code"] == "102001/000001"

    def test_provider_code_is_the_departments(self, world):
        """A provider code sent by the client is replaced by the department's USCC."""
        other = demo.DEPARTMENTS[f.GAT]["uscc"]
        pkg = f.create_entry(world.compiler, provider_code=other)
        assert pkg["provider_code"] == world.samr["uscc"]

    @pytest.mark.parametrize("field,value", [
        ("catalogue_state", "published"), ("issued", "2026-01-05")])
    def test_lifecycle_fields_ignored_on_create(self, world, field, value):
        """catalogue_state and issued given by an editor on create are ignored (draft, unset)."""
        pkg = f.create_entry(world.compiler, **{field: value})
        assert pkg["catalogue_state"] == "draft"
        assert not pkg.get("issued")

    @pytest.mark.parametrize("field,value", [
        ("catalogue_state", "published"), ("issued", "2026-01-05")])
    def test_lifecycle_fields_ignored_on_update(self, world, field, value):
        """An editor's update cannot change catalogue_state or issued: the stored value stays."""
        pkg = f.create_entry(world.compiler)
        helpers.call_action("package_patch", f.as_user(world.compiler), id=pkg["id"],
                            notes="修订后的摘要", **{field: value})
        shown = helpers.call_action("package_show", f.site(), id=pkg["id"])
        assert shown["notes"] == "修订后的摘要"
        assert shown["catalogue_state"] == "draft"
        assert not shown.get("issued")


# --- every rule refuses with a bilingual message and stores nothing ---------------------------


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda e: e.update(values)


def _items(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(e: dict[str, Any]) -> None:
        for item in e["info_items"]:
            item.update(values)
    return change


def _item(index: int, **values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda e: e["info_items"][index].update(values)


def _all(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(e: dict[str, Any]) -> None:
        for c in changes:
            c(e)
    return change


def _duplicate_item_name(e: dict[str, Any]) -> None:
    e["info_items"][1]["name"] = e["info_items"][0]["name"]


def _scope(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda e: e["share_scope"][0].update(values)


_CONDITION = "仅限履行法定职责需要使用，须经提供方审核同意。"
_SCOPE = [{"consumers": "省直有关部门", "regions": "全省", "need_to_know": "经办人员",
           "usage": "行政审批", "scenarios": "企业开办核验", "agreement_required": "false"}]

# (id, template, change, error path, a word the message must contain: English, the default
# locale of the tests' portal; a zh_Hans_CN page's Chinese is checked in tests/views)
RULES = [
    ("conditional-needs-condition", f.CONDITIONAL, _set(share_condition=""),
     "share_condition", "conditional"),
    ("conditional-needs-scope", f.CONDITIONAL, _set(share_scope=[]), "share_scope", "need-to-know"),
    ("scope-needs-every-part", f.CONDITIONAL, _scope(usage=""), "share_scope.0.usage", "required"),
    ("not-shared-needs-basis", f.NOT_SHARED, _set(no_share_basis=""), "no_share_basis",
     "law"),
    ("grade-alone-is-no-basis", f.NOT_SHARED,
     _set(no_share_basis="该数据为重要数据（IMP），属于4级敏感数据"), "no_share_basis",
     "a data grade alone is not a basis"),
    ("basis-must-cite-law", f.NOT_SHARED, _set(no_share_basis="业务需要，暂不共享"),
     "no_share_basis", "must cite a law"),
    ("share-mode-category-required", f.UNCONDITIONAL,
     _set(share_mode_category="", share_mode_type=""), "share_mode_category", "not_shared"),
    ("platform-needs-share-mode-type", f.UNCONDITIONAL, _set(share_mode_type=""),
     "share_mode_type", "sharing platform"),
    ("share-mode-type-fits-format", f.UNCONDITIONAL, _set(share_mode_type="file"),
     "share_mode_type", "does not fit the format category"),
    ("share-mode-type-only-on-platform", f.UNCONDITIONAL,
     _set(share_mode_category="email", share_mode_type="table"), "share_mode_type",
     "applies only to the sharing platform"),
    ("resource-share-mode-fits-format", f.CONDITIONAL,
     lambda e: e["resources"][0].update(share_mode_type="api"),
     "resources.0.share_mode_type", "does not fit the format category"),
    ("format-type-within-category", f.UNCONDITIONAL, _set(format_type="xlsx"),
     "format_type", "is not a type of the format category"),
    ("other-format-needs-description", f.UNCONDITIONAL, _set(format_type="other"),
     "format_other_desc", "other"),
    ("other-category-needs-description", f.UNCONDITIONAL,
     _set(format_category="other", format_type="other"), "format_other_desc", "other"),
    ("at-least-one-info-item", f.UNCONDITIONAL, _set(info_items=[]), "info_items",
     "at least one information item"),
    ("info-item-names-unique", f.UNCONDITIONAL, _duplicate_item_name, "info_items.1.name",
     "repeats item no. 1"),
    ("info-item-length-for-character", f.UNCONDITIONAL, _item(0, length=""),
     "info_items.0.length", "required for the data type"),
    ("info-item-length-whole-number", f.UNCONDITIONAL, _item(0, length="²"),
     "info_items.0.length", "positive whole number"),
    ("resource-code-shape", f.UNCONDITIONAL, _set(resource_code=102001), "resource_code",
     "must have the form"),
    ("item-never-looser", f.CONDITIONAL, _item(0, share_type="unconditional"),
     "info_items.0.share_type", "must not be looser"),
    ("stricter-item-states-its-basis", f.CONDITIONAL, _item(0, share_type="not_shared"),
     "info_items.0.share_condition", "law"),
    ("basic-resource-needs-reason", f.UNCONDITIONAL,
     _all(_set(share_type="conditional", share_condition=_CONDITION,
               share_scope=copy.deepcopy(_SCOPE), open_type="not_open", open_condition=""),
          _items(share_type="conditional")),
     "share_type_reason", "basic information resource"),
    ("g3-not-unconditional", f.UNCONDITIONAL, _set(data_grade="G3"), "share_type",
     "cannot be shared unconditionally"),
    ("g3-item-not-unconditional", f.UNCONDITIONAL, _item(2, grade="G3"),
     "info_items.2.share_type", "cannot be shared unconditionally"),
    ("imp-not-unconditional", f.UNCONDITIONAL, _set(data_grade="IMP"), "share_type",
     "cannot be shared unconditionally"),
    ("g3-not-unconditionally-open", f.CONDITIONAL,
     _set(open_type="unconditional_open"), "open_type", "cannot be opened unconditionally"),
    ("imp-not-open", f.CONDITIONAL,
     _all(_set(data_grade="IMP", open_type="conditional_open", open_condition="脱敏后开放")),
     "open_type", "must not be opened"),
    ("g3-conditional-needs-agreement", f.CONDITIONAL, _scope(agreement_required="false"),
     "share_scope.0.agreement_required", "security agreement"),
    ("core-not-shared", f.CONDITIONAL, _set(data_grade="CORE"), "share_type", "must not be shared"),
    ("grade-at-least-items", f.CONDITIONAL, _set(data_grade="G2"), "data_grade",
     "must not be lower than the highest item grade"),
    ("classified-refused", f.UNCONDITIONAL, _set(is_classified="yes"), "is_classified",
     "classified"),
    ("related-codes-exist", f.UNCONDITIONAL, _set(related_resource_codes=["102001/999999"]),
     "related_resource_codes", "102001/999999"),
    ("provider-unit-of-department", f.UNCONDITIONAL, _set(provider_unit="GAT01"),
     "provider_unit", "is not an internal unit of 省市场监督管理局"),
    ("open-condition-when-conditional-open", f.UNCONDITIONAL, _set(open_condition=""),
     "open_condition", "conditional_open"),
    ("not-shared-not-open", f.NOT_SHARED,
     _set(open_type="conditional_open", open_condition="申请后开放"), "open_type", "cannot be opened to the public"),
    ("update-cycle-other-described", f.UNCONDITIONAL, _set(update_cycle="other"),
     "update_cycle_other", "other"),
    ("item-must-be-basic-class-item", f.UNCONDITIONAL, _set(catalog_item="09"),
     "catalog_item", "is not an item of"),
    ("required-abstract", f.UNCONDITIONAL, _set(notes=""), "notes", "required"),
]


class TestRules:
    @pytest.mark.parametrize("which,change,path,word",
                             [pytest.param(*r[1:], id=r[0]) for r in RULES])
    def test_rule_refuses_and_stores_nothing(self, world, which, change, path, word):
        """Each rule of §A.7/§C.4: an error naming the field, and nothing stored."""
        admin = world.samr_admin if which[0] == f.SAMR else world.gat_admin
        data = f.entry_dict(which)
        change(data)
        messages = _refused_entry(f.as_user(admin), data, path)
        assert any(word in m for m in messages), messages

    def test_title_unique_within_the_department(self, world):
        """A second entry with the same title in the department is refused on title."""
        f.create_entry(world.compiler)
        messages = _refused_entry(
            f.as_user(world.compiler), f.entry_dict(catalog_subitem="002"), "title")
        assert "already has an entry with this title (102001-000001)" in messages[0]

    def test_same_title_in_another_department(self, world):
        """Titles are unique per department: another department may use the same title."""
        f.create_entry(world.compiler)
        other = f.create_entry(world.gat_compiler, f.NOT_SHARED, title="企业登记信息")
        assert other["title"] == "企业登记信息"

    def test_rule_applies_on_update(self, world):
        """The rules run on update too: an update that breaks one changes nothing."""
        pkg = f.create_entry(world.compiler, f.CONDITIONAL, provider_unit="SAMR01")
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("package_patch", f.as_user(world.compiler), id=pkg["id"],
                                share_condition="", notes="不应保存")
        assert _messages(raised.value.error_dict, "share_condition")
        shown = helpers.call_action("package_show", f.site(), id=pkg["id"])
        assert shown["share_condition"] == pkg["share_condition"]
        assert shown["notes"] == pkg["notes"]

    @pytest.mark.parametrize("which,change", [
        pytest.param(f.UNCONDITIONAL, None, id="unconditional"),
        pytest.param(f.CONDITIONAL, None, id="conditional"),
        pytest.param(f.NOT_SHARED, None, id="not-shared"),
        pytest.param(f.CONDITIONAL, _all(
            _item(0, share_type="not_shared",
                  share_condition="《中华人民共和国个人信息保护法》第十三条"),
            _item(1, share_type="conditional", share_condition="仅限核验使用")),
            id="items-stricter-than-entry"),
        pytest.param(f.UNCONDITIONAL, _all(
            _set(share_type="conditional", share_condition=_CONDITION,
                 share_scope=copy.deepcopy(_SCOPE), open_type="not_open", open_condition="",
                 share_type_reason="涉及企业经营信息，按有条件共享管理"),
            _items(share_type="conditional")), id="basic-resource-with-reason"),
        pytest.param(f.UNCONDITIONAL, _set(share_mode_category="email", share_mode_type=""),
                     id="email-without-type"),
        pytest.param(f.UNCONDITIONAL, _set(format_type="other", format_other_desc="国产时序库"),
                     id="other-format-described"),
        pytest.param(f.UNCONDITIONAL, _set(update_cycle="other",
                                           update_cycle_other="每两个月"), id="other-cycle"),
        pytest.param(f.UNCONDITIONAL, _set(share_type=""), id="basic-defaults-unconditional"),
        pytest.param(f.NOT_SHARED, _set(data_grade="CORE"), id="core-not-shared"),
        pytest.param(f.CONDITIONAL, _set(data_grade="G4"), id="g4-conditional"),
        pytest.param(f.UNCONDITIONAL, _set(provider_unit="信用监督管理处"),
                     id="unit-by-name"),
    ])
    def test_valid_combinations_are_accepted(self, world, which, change):
        """Valid combinations of the same rules are stored."""
        data = f.entry_dict(which)
        if change:
            change(data)
        pkg = helpers.call_action("package_create", f.site(), **data)
        assert pkg["catalogue_state"] == "draft"
        assert CODE.match(pkg["resource_code"])
        if which == f.UNCONDITIONAL and data.get("share_type") == "":
            assert pkg["share_type"] == "unconditional"
        if data.get("provider_unit") == "信用监督管理处":
            assert pkg["provider_unit"] == "SAMR02"

    @pytest.mark.ckan_config("ckanext.govshare.allow_core_sharing", "true")
    def test_core_sharing_when_allowed(self, world):
        """With allow_core_sharing on, core data may be shared (conditionally)."""
        pkg = f.create_entry(None, f.CONDITIONAL, data_grade="CORE")
        assert (pkg["data_grade"], pkg["share_type"]) == ("CORE", "conditional")

    def test_related_code_that_exists(self, world):
        """A related code of an existing entry is accepted."""
        first = f.create_entry(world.compiler)
        second = f.create_entry(world.compiler, title="企业登记信息（关联）",
                                related_resource_codes=[first["resource_code"]])
        assert second["related_resource_codes"] == [first["resource_code"]]


# --- resource codes -------------------------------------------------------------------------


class TestResourceCodes:
    def test_explicit_code_already_issued_is_refused(self, world):
        """A client's code that belongs to another entry is refused on resource_code."""
        first = f.create_entry(world.compiler)
        messages = _refused_entry(
            f.as_user(world.compiler),
            f.entry_dict(title="企业登记信息（重复代码）", resource_code=first["resource_code"]),
            "resource_code")
        assert "102001/000001" in messages[0] and "never reused" in messages[0]

    @pytest.mark.parametrize("how", ["package_delete", "dataset_purge"])
    def test_code_of_a_deleted_entry_is_refused(self, world, how):
        """The code of a deleted or purged entry is never issued again, also not on request."""
        first = f.create_entry(world.compiler)
        helpers.call_action(how, f.site(), id=first["id"])
        _refused_entry(
            f.as_user(world.compiler),
            f.entry_dict(title="企业登记信息（旧代码）", resource_code=first["resource_code"]),
            "resource_code")

    def test_explicit_new_code_is_accepted_and_skipped(self, world):
        """A free code of the entry's classification may be given; allocation then skips it."""
        given = f.create_entry(world.compiler, resource_code="102001/000001")
        allocated = f.create_entry(world.compiler, title="企业登记信息（二）")
        assert given["resource_code"] == "102001/000001"
        assert allocated["resource_code"] == "102001/000002"

    def test_explicit_code_must_match_the_classification(self, world):
        """A code whose classification part differs from the entry's is refused."""
        _refused_entry(f.as_user(world.compiler), f.entry_dict(resource_code="301001/000001"),
                       "resource_code")

    def test_update_without_code_keeps_it(self, world):
        """package_update without resource_code keeps the entry's code (and name)."""
        pkg = f.create_entry(world.compiler)
        data = {k: v for k, v in pkg.items() if k not in ("resource_code",)}
        data["notes"] = "更新后的摘要"
        updated = helpers.call_action("package_update", f.as_user(world.compiler), **data)
        assert updated["resource_code"] == pkg["resource_code"] == "102001/000001"
        assert updated["name"] == pkg["name"]
        assert _scalar("SELECT count(*) FROM govshare_resource_code") == 1

    def test_update_cannot_take_another_entrys_code(self, world):
        """Changing an entry's code to one issued to another entry is refused."""
        first = f.create_entry(world.compiler)
        second = f.create_entry(world.compiler, title="企业登记信息（二）")
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("package_patch", f.as_user(world.compiler), id=second["id"],
                                resource_code=first["resource_code"])
        assert _messages(raised.value.error_dict, "resource_code")
        assert helpers.call_action("package_show", f.site(), id=second["id"])[
            "resource_code"] == "102001/000002"

    def test_purge_and_recreate_never_reuses_a_number(self, world):
        """After a purge the next entry of the prefix gets the next number, not the freed one."""
        first = f.create_entry(world.compiler)
        helpers.call_action("dataset_purge", f.site(), id=first["id"])
        again = f.create_entry(world.compiler)
        assert _code(first) == ("102001", 1)
        assert _code(again) == ("102001", 2)
        assert again["name"] == "102001-000002"

    def test_refused_create_gives_no_number_away(self, world):
        """A refused create does not consume a sequence number: the next valid one gets it."""
        _refused_entry(f.as_user(world.compiler), f.entry_dict(notes=""), "notes")
        assert f.create_entry(world.compiler)["resource_code"] == "102001/000001"

    def test_unauthorized_create_gives_no_number_away(self, world):
        """A create refused by auth leaves no sequence number behind, even once committed."""
        before = _stored()
        assert f.refused("package_create", world.compiler2, **f.entry_dict())
        model.Session.commit()
        assert _stored() == before

    def test_anonymous_cannot_probe_issued_codes(self, world):
        """Anonymous users are refused before learning whether a code was issued."""
        f.create_entry(world.compiler)
        assert f.refused("package_create", None,
                         **f.entry_dict(title="探测", resource_code="102001/000001"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(clean_db, ckan_config, tmp_path):
    """A real threaded ``ckan run`` on a free port, against this test run's database."""
    port = _free_port()
    env = {**os.environ, "CKAN_SQLALCHEMY_URL": ckan_config["sqlalchemy.url"],
           "CKAN_SITE_URL": f"http://127.0.0.1:{port}"}
    ini = str(ROOT / "test.ini")
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("ckan")), "-c", ini, "run", "-H", "127.0.0.1",
         "-p", str(port), "--disable-reloader", "--threaded"],
        env=env, stdout=subprocess.DEVNULL, stderr=log, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(url + "/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "ckan run did not start"
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class TestCkanapi:
    def test_compiler_compiles_through_ckanapi(self, world, server):
        """ckanapi's RemoteCKAN, as bulk-import scripts use it: a valid entry is created with
        its code; an invalid one is a ValidationError naming the field in both languages, and
        nothing is stored."""
        from ckanapi import RemoteCKAN, ValidationError

        api = RemoteCKAN(server, apikey=f.token(world.compiler))
        created = api.action.package_create(**f.entry_dict())
        assert created["resource_code"] == "102001/000001"
        assert created["catalogue_state"] == "draft"
        assert api.action.package_show(id=created["name"])["info_items"] == \
            created["info_items"]

        before = _stored()
        bad = f.entry_dict(share_type="conditional", share_condition="")
        with pytest.raises(ValidationError) as raised:
            api.action.package_create(**bad)
        (message,) = raised.value.error_dict["share_condition"]
        assert message.lower().startswith("share condition") and not CJK.search(message)
        assert _stored() == before


class TestConcurrentCodes:
    def test_two_threads_get_distinct_codes(self, world, server):
        """Two clients creating entries of one classification at once never share a code."""
        per_thread = 4
        tokens = {"a": f.token(world.compiler), "b": f.token(world.samr_admin)}
        model.Session.remove()
        barrier = threading.Barrier(len(tokens))
        results: dict[str, list[Any]] = {k: [] for k in tokens}
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in tokens}

        def create(key: str) -> None:
            session = requests.Session()
            session.headers["Authorization"] = tokens[key]
            barrier.wait()
            for n in range(per_thread):
                data = f.entry_dict(title=f"企业登记信息（{key}{n}）")
                start = time.monotonic()
                response = session.post(server + "/api/3/action/package_create", json=data,
                                        timeout=60)
                times[key].append((start, time.monotonic()))
                body = response.json()
                results[key].append(body["result"]["resource_code"] if body.get("success")
                                    else body.get("error"))

        threads = [threading.Thread(target=create, args=(k,)) for k in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        codes = results["a"] + results["b"]
        assert all(isinstance(c, str) for c in codes), codes
        assert sorted(codes) == [f"102001/{n:06d}" for n in range(1, 2 * per_thread + 1)]
        assert _scalar("SELECT count(DISTINCT code) FROM govshare_resource_code") == 2 * per_thread
        assert _scalar("SELECT last_value FROM govshare_code_sequence WHERE prefix = '102001/'") \
            == 2 * per_thread
        # the two clients' requests did overlap in time
        assert any(a0 < b1 and b0 < a1 for a0, a1 in times["a"] for b0, b1 in times["b"])


# --- unit-restricted compiling -----------------------------------------------------------------


class TestUnitCompiling:
    def test_compiler_creates_for_own_unit(self, world):
        """A compiler of SAMR01 may create an entry of SAMR01."""
        assert not f.refused("package_create", world.compiler, **f.entry_dict())

    def test_compiler_cannot_create_for_another_unit(self, world):
        """A compiler of SAMR02 may not create an entry of SAMR01."""
        before = _stored()
        assert f.refused("package_create", world.compiler2, **f.entry_dict())
        assert _stored() == before

    def test_compiler_cannot_update_another_units_entry(self, world):
        """A compiler of SAMR02 may not edit an entry of SAMR01."""
        pkg = f.create_entry(world.compiler)
        assert f.refused("package_patch", world.compiler2, id=pkg["id"], notes="改")
        assert helpers.call_action("package_show", f.site(), id=pkg["id"])["notes"] == pkg["notes"]

    def test_compiler_cannot_move_an_entry_to_another_unit(self, world):
        """A compiler of SAMR01 may not hand their entry to SAMR02."""
        pkg = f.create_entry(world.compiler)
        assert f.refused("package_patch", world.compiler, id=pkg["id"], provider_unit="SAMR02")

    def test_compiler_updates_own_units_entry(self, world):
        """A compiler of SAMR01 may edit an entry of SAMR01."""
        pkg = f.create_entry(world.samr_admin)
        helpers.call_action("package_patch", f.as_user(world.compiler), id=pkg["id"], notes="改")
        assert helpers.call_action("package_show", f.site(), id=pkg["id"])["notes"] == "改"

    def test_other_departments_compiler_cannot_create(self, world):
        """A compiler of another department may not create an entry of this one."""
        assert f.refused("package_create", world.gat_compiler, **f.entry_dict())
        assert f.refused("package_create", world.gat_compiler,
                         **f.entry_dict(provider_unit="GAT03"))

    def test_other_departments_compiler_cannot_update(self, world):
        """A compiler of another department may not edit this department's entry."""
        pkg = f.create_entry(world.compiler)
        assert f.refused("package_patch", world.gat_compiler, id=pkg["id"], notes="改")

    @pytest.mark.parametrize("unit", ["SAMR01", "SAMR02", "SAMR03"])
    def test_org_admin_compiles_any_unit(self, world, unit):
        """The department's admin may create an entry of any of its units."""
        pkg = f.create_entry(world.samr_admin, provider_unit=unit)
        assert pkg["provider_unit"] == unit

    def test_reviewer_cannot_create(self, world):
        """A reviewer (an editor in CKAN) without the compiler role may not create entries."""
        assert f.refused("package_create", world.reviewer, **f.entry_dict())
        assert f.refused("package_create", world.reviewer,
                         **f.entry_dict(f.CONDITIONAL))

    def test_plain_editor_cannot_create(self, world):
        """A CKAN editor of the department with no govshare role may not create entries."""
        editor = f.user(world.samr, capacity="editor")
        assert f.refused("package_create", editor, **f.entry_dict())

    def test_anonymous_cannot_create(self, world):
        """Anonymous users may not create entries."""
        assert f.refused("package_create", None, **f.entry_dict())


# --- repeating records (信息项, 共享范围) ---------------------------------------------------------


class TestRecordFields:
    """信息项 and 共享范围 are validated as one value each (``govshare_records``) and stored as
    one JSON extra; what a client sends in any accepted shape comes back as a list."""

    def test_stored_as_one_extra_and_shown_as_a_list(self, world):
        pkg = helpers.call_action("package_create", f.as_user(world.compiler), **f.entry_dict())
        stored = model.Package.get(pkg["id"]).extras
        assert isinstance(stored["info_items"], str)
        assert [i["name"] for i in json.loads(stored["info_items"])] == [
            i["name"] for i in pkg["info_items"]]
        assert not any(k.startswith("info_items-") for k in stored)

    def test_json_text_is_accepted(self, world):
        data = f.entry_dict()
        items = data["info_items"]
        data["info_items"] = json.dumps(items, ensure_ascii=False)
        pkg = helpers.call_action("package_create", f.as_user(world.compiler), **data)
        assert [i["name"] for i in pkg["info_items"]] == [i["name"] for i in items]

    def test_values_are_normalised_per_subfield(self, world):
        data = f.entry_dict()
        data["info_items"][0].update(name="  统一社会信用代码 ", length="18", is_sensitive="是")
        pkg = helpers.call_action("package_create", f.as_user(world.compiler), **data)
        first = pkg["info_items"][0]
        assert (first["name"], first["length"], first["is_sensitive"]) == (
            "统一社会信用代码", 18, "true")

    def test_blank_records_are_dropped(self, world):
        data = f.entry_dict()
        count = len(data["info_items"])
        data["info_items"].insert(1, {"name": "", "name_en": " ", "length": ""})
        pkg = helpers.call_action("package_create", f.as_user(world.compiler), **data)
        assert len(pkg["info_items"]) == count

    def test_form_keys_become_records(self, world):
        """The form's ``info_items-0-name`` keys, as the dataset form posts them."""
        data = f.entry_dict()
        items = data.pop("info_items")
        for i, item in enumerate(items):
            for sub, value in item.items():
                data[f"info_items-{i}-{sub}"] = "" if value is None else str(value)
        pkg = helpers.call_action("package_create", f.as_user(world.compiler), **data)
        assert [i["name"] for i in pkg["info_items"]] == [i["name"] for i in items]
        assert pkg["info_items"][0]["length"] == items[0]["length"]

    def test_unknown_subfield_is_refused(self, world):
        data = f.entry_dict()
        data["info_items"][1]["colour"] = "red"
        (message,) = _refused_entry(f.as_user(world.compiler), data, "info_items.1.colour")
        assert "colour" in message and "name_en" in message

    @pytest.mark.parametrize("value", ["not json", {"name": "x"}, 42, "[1, 2]"])
    def test_not_a_list_of_records_is_refused(self, world, value):
        data = f.entry_dict(info_items=value)
        _refused_entry(f.as_user(world.compiler), data, "info_items")

    def test_a_record_that_is_not_one_is_named_by_its_position(self, world):
        data = f.entry_dict()
        data["info_items"][1:1] = [{"name": ""}, "统一社会信用代码"]
        (message,) = _refused_entry(f.as_user(world.compiler), data, "info_items")
        assert "item no. 3 must be a record" in message

    def test_a_bad_subfield_value_names_its_record(self, world):
        data = f.entry_dict()
        data["info_items"][2]["length"] = "十八"
        (message,) = _refused_entry(f.as_user(world.compiler), data, "info_items.2.length")
        assert "positive whole number" in message

    def test_errors_keep_the_records_positions(self, world):
        """An error on the third record stays on the third, not the first."""
        data = f.entry_dict()
        data["info_items"][2]["name"] = data["info_items"][0]["name"]
        messages = _refused_entry(f.as_user(world.compiler), data, "info_items.2.name")
        assert "repeats item no. 1" in messages[0]

    def test_share_scope_records(self, world):
        data = f.entry_dict(f.CONDITIONAL)
        scope = data["share_scope"][0]
        data["share_scope"] = [dict(scope, consumers=" 省公安厅 "), {"consumers": ""}]
        pkg = helpers.call_action("package_create", f.as_user(world.compiler2), **data)
        assert [s["consumers"] for s in pkg["share_scope"]] == ["省公安厅"]


# --- departments (organization schema) ----------------------------------------------------------


class TestDepartmentSchema:
    def _refused_org(self, path: str, **changes: Any) -> list[str]:
        data = {"name": "sx-test", "title": "测试厅", "uscc": demo.DEPARTMENTS[0]["uscc"],
                "region_code": "140000", "level": "province",
                "units": [{"code": "T01", "name": "办公室"}], **changes}
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("organization_create", f.site(), **data)
        messages = _messages(raised.value.error_dict, path)
        assert messages, raised.value.error_dict
        for message in messages:
            assert re.search(r"[A-Za-z]{3}", message), message
        assert model.Group.get("sx-test") is None
        return messages

    def test_bad_uscc_check_digit(self, clean_db):
        """A USCC with a wrong check character is refused on uscc, naming the field."""
        good = demo.DEPARTMENTS[0]["uscc"]
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        (message,) = self._refused_org("uscc", uscc=bad)
        assert message.startswith("Unified social credit code: ") and "check" in message

    @pytest.mark.parametrize("uscc", ["11140000MB195736", "11140000MB1957364I", "ABC"])
    def test_bad_uscc_shape(self, clean_db, uscc):
        """A USCC of the wrong length or with excluded letters is refused on uscc."""
        self._refused_org("uscc", uscc=uscc)

    @pytest.mark.parametrize("region", ["14000", "990000", "14000X"])
    def test_bad_region_code(self, clean_db, region):
        """A region code that is not a 6-digit GB/T 2260 code is refused on region_code."""
        (message,) = self._refused_org("region_code", region_code=region)
        assert message.startswith("Region code: ")

    def test_bad_level(self, clean_db):
        """The level is province, city or county."""
        self._refused_org("level", level="village")

    def test_duplicate_unit_code(self, clean_db):
        """Unit codes are unique within the department."""
        self._refused_org("units.1.code", units=[{"code": "T01", "name": "办公室"},
                                                  {"code": "T01", "name": "数据处"}])

    def test_units_stored_and_returned(self, clean_db):
        """Units are stored with the department and returned by organization_show."""
        org = f.department(f.SAMR)
        shown = helpers.call_action("organization_show", f.site(), id=org["name"])
        assert shown["units"] == [
            {"code": "SAMR01", "name": "登记注册局"}, {"code": "SAMR02", "name": "信用监督管理处"},
            {"code": "SAMR03", "name": "食品安全抽检监测处"}]
        assert shown["uscc"] == "11140000MB1957364J"
        assert (shown["region_code"], shown["level"]) == ("140000", "province")

    def test_uscc_normalised(self, clean_db):
        """A USCC typed in lower case with blanks is stored normalised."""
        org = f.department(f.SAMR, uscc=" 11140000mb1957364j ")
        assert org["uscc"] == "11140000MB1957364J"
