"""Department roles: grant, revoke, list, the CKAN capacity mapping, unit binding and auth."""
from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ckanext.govshare.department import roles
from ckanext.govshare.model import Role

from .. import departments
from ..departments import as_user as _as
from ..departments import department, outcome


def _capacity(org: dict, user: dict) -> str | None:
    return authz.users_role_for_group_or_org(org["id"], user["name"])


@pytest.fixture
def world(fresh):
    return fresh(departments.world)


class TestCapacityMapping:
    def test_every_role_has_a_capacity(self):
        """Each role maps onto a CKAN capacity; none grants admin."""
        assert set(roles.CAPACITY) == set(roles.ROLES)
        assert roles.CAPACITY == {
            "compiler": "editor", "reviewer": "editor",
            "security_officer": "editor", "coordinator": "member",
        }

    def test_required_capacity_is_the_strongest(self):
        """Several roles need the strongest of their capacities; no role needs none."""
        assert roles.required_capacity(["coordinator"]) == "member"
        assert roles.required_capacity(["coordinator", "reviewer"]) == "editor"
        assert roles.required_capacity([]) is None
        assert roles.stronger_capacity("admin", "editor") == "admin"
        assert roles.stronger_capacity(None, "member") == "member"

    def test_labels_are_bilingual(self):
        """Role labels come in Chinese and English."""
        assert roles.role_label("compiler") == "编制人"
        assert roles.role_label("security_officer", "en") == "Security officer"


@pytest.mark.usefixtures("clean_db")
class TestDepartmentUnits:
    def test_units_of_a_department(self):
        """department_units reads the department's units as {code, name}."""
        org = department(units=[{"code": "A1", "name": "综合处"}, {"code": "B2", "name": "数据处"}])
        assert roles.department_units(org["id"]) == [
            {"code": "A1", "name": "综合处"}, {"code": "B2", "name": "数据处"}]
        assert roles.department_units(org["name"]) == roles.department_units(org["id"])
        assert roles.unit_names(org["id"]) == {"A1": "综合处", "B2": "数据处"}

    def test_no_units(self):
        """A department without units, or an unknown one, has none."""
        assert roles.department_units(department(units=[])["id"]) == []
        assert roles.department_units("no-such-department") == []

    def test_parse_is_defensive(self):
        """Units given as JSON text or with blanks are read; junk is skipped."""
        parse = roles._parse_units
        assert parse('[{"code": "X", "name": "处"}]') == [{"code": "X", "name": "处"}]
        assert parse([{"code": " Y "}, "junk", {"name": "no code"}]) == [{"code": "Y", "name": "Y"}]
        assert parse("not json") == []
        assert parse(None) == []


class TestGrant:
    def test_compiler_becomes_editor_bound_to_units(self, world):
        """A compiler is stored with its units and made an editor of the department."""
        result = helpers.call_action(
            "govshare_role_grant", _as(world.admin), organization_id=world.org["name"],
            user_id=world.user["name"], role="compiler", units=["BGS", "XXZX"])
        assert result["role"] == "compiler"
        assert result["units"] == ["BGS", "XXZX"]
        assert result["organization_id"] == world.org["id"]
        assert result["user_id"] == world.user["id"]
        assert result["created_by"] == world.admin["id"]
        assert result["capacity"] == "editor"
        assert _capacity(world.org, world.user) == "editor"
        assert roles.user_roles(world.user["id"], world.org["id"]) == ["compiler"]
        assert roles.compiler_units(world.user["name"], world.org["name"]) == ["BGS", "XXZX"]
        assert roles.has_role(world.user["id"], world.org["id"], "compiler")
        assert roles.has_role(world.user["id"], world.org["id"], {"reviewer", "compiler"})
        assert not roles.has_role(world.user["id"], world.org["id"], "reviewer")

    def test_units_from_a_form_string(self, world):
        """Units may come as one comma-separated string."""
        result = helpers.call_action(
            "govshare_role_grant", organization_id=world.org["id"], user_id=world.user["id"],
            role="compiler", units="BGS, DJZCC，BGS")
        assert result["units"] == ["BGS", "DJZCC"]

    def test_coordinator_becomes_member(self, world):
        """A coordinator needs only member capacity."""
        result = helpers.call_action(
            "govshare_role_grant", organization_id=world.org["id"], user_id=world.user["id"],
            role="coordinator")
        assert result["capacity"] == "member"
        assert _capacity(world.org, world.user) == "member"

    def test_member_is_raised_never_lowered(self, world):
        """A member granted reviewer becomes editor; an admin stays admin."""
        helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                            user_id=world.member["id"], role="reviewer")
        assert _capacity(world.org, world.member) == "editor"
        helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                            user_id=world.admin["id"], role="coordinator")
        assert _capacity(world.org, world.admin) == "admin"

    def test_grant_again_updates_units(self, world):
        """Granting a held role again changes a compiler's units and keeps one record."""
        first = helpers.call_action(
            "govshare_role_grant", organization_id=world.org["id"], user_id=world.user["id"],
            role="compiler", units=["BGS"])
        again = helpers.call_action(
            "govshare_role_grant", organization_id=world.org["id"], user_id=world.user["id"],
            role="compiler", units=["DJZCC"])
        assert again["id"] == first["id"]
        assert again["units"] == ["DJZCC"]
        assert model.Session.query(Role).count() == 1

    def test_several_roles(self, world):
        """A user may hold several roles in one department."""
        for role in ("reviewer", "security_officer"):
            helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                                user_id=world.user["id"], role=role)
        assert roles.user_roles(world.user["id"], world.org["id"]) == [
            "reviewer", "security_officer"]

    def test_defer_commit_keeps_one_transaction(self, world):
        """With defer_commit nothing is committed: a rollback drops role and membership."""
        helpers.call_action(
            "govshare_role_grant", {"user": world.admin["name"], "defer_commit": True},
            organization_id=world.org["id"], user_id=world.user["id"], role="reviewer")
        model.Session.rollback()
        assert model.Session.query(Role).count() == 0
        assert _capacity(world.org, world.user) is None


class TestGrantValidation:
    def _grant(self, world, **data):
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                                user_id=world.user["id"], **data)
        return e.value.error_dict

    def test_compiler_needs_units(self, world):
        """A compiler without units is refused, in one language, naming the field."""
        errors = self._grant(world, role="compiler")
        (message,) = errors["units"]
        assert message.startswith("Units (units) is required") and "内部处室" not in message
        assert model.Session.query(Role).count() == 0

    def test_compiler_units_must_be_the_departments(self, world):
        """Units of another department or unknown codes are refused and named."""
        errors = self._grant(world, role="compiler", units=["BGS", "NOPE"])
        (message,) = errors["units"]
        assert "NOPE" in message and "not units of the department" in message
        assert "BGS" in message  # the valid choices are listed

    def test_department_without_units(self, clean_db):
        """A department without registered units cannot have compilers."""
        org = department(units=[])
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_role_grant", organization_id=org["id"],
                                user_id=factories.User()["id"], role="compiler", units=["BGS"])
        assert "no registered units" in e.value.error_dict["units"][0]

    def test_units_only_for_compilers(self, world):
        """Other roles are not bound to units."""
        errors = self._grant(world, role="reviewer", units=["BGS"])
        assert "compiler role only" in errors["units"][0]

    def test_unknown_role(self, world):
        """A role outside the vocabulary is refused with the allowed values."""
        errors = self._grant(world, role="boss")
        (message,) = errors["role"]
        assert message.startswith("Role (role) ") and "角色" not in message
        assert "compiler" in message and "coordinator" in message

    def test_unknown_user_and_department(self, clean_db):
        """Unknown users and departments are refused by field."""
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_role_grant", organization_id="nowhere",
                                user_id="nobody", role="reviewer")
        errors = e.value.error_dict
        assert "Department (organization_id)" in errors["organization_id"][0]
        assert "User (user_id)" in errors["user_id"][0]

    def test_required_fields(self, clean_db):
        """Missing fields are named, in the request's language only."""
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_role_grant")
        errors = e.value.error_dict
        assert set(errors) == {"organization_id", "user_id", "role"}
        assert errors["role"] == ["Role (role) is required"]


class TestRevoke:
    def _grant(self, world, user, role, **data):
        return helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                                   user_id=user["id"], role=role, **data)

    def test_last_editor_role_lowers_to_member(self, world):
        """Revoking the only editor role leaves the user a member."""
        self._grant(world, world.user, "compiler", units=["BGS"])
        result = helpers.call_action("govshare_role_revoke", _as(world.admin),
                                     organization_id=world.org["id"],
                                     user_id=world.user["name"], role="compiler")
        assert result == {"organization_id": world.org["id"], "user_id": world.user["id"],
                          "role": "compiler", "remaining_roles": [], "capacity": "member"}
        assert _capacity(world.org, world.user) == "member"
        assert roles.compiler_units(world.user["id"], world.org["id"]) == []

    def test_remaining_role_keeps_editor(self, world):
        """Another editor role keeps the user an editor."""
        self._grant(world, world.user, "coordinator")
        self._grant(world, world.user, "reviewer")
        self._grant(world, world.user, "security_officer")
        result = helpers.call_action("govshare_role_revoke", organization_id=world.org["id"],
                                     user_id=world.user["id"], role="reviewer")
        assert result["capacity"] == "editor"
        assert result["remaining_roles"] == ["security_officer", "coordinator"]

    def test_adjust_capacity_off(self, world):
        """adjust_capacity=false leaves the CKAN capacity alone."""
        self._grant(world, world.user, "reviewer")
        result = helpers.call_action("govshare_role_revoke", organization_id=world.org["id"],
                                     user_id=world.user["id"], role="reviewer",
                                     adjust_capacity="false")
        assert result["capacity"] == "editor"

    def test_admin_untouched(self, world):
        """An administrator's capacity is never changed by a revoke."""
        self._grant(world, world.admin, "reviewer")
        helpers.call_action("govshare_role_revoke", _as(world.admin),
                            organization_id=world.org["id"], user_id=world.admin["id"],
                            role="reviewer")
        assert _capacity(world.org, world.admin) == "admin"

    def test_revoke_a_role_not_held(self, world):
        """Revoking a role the user does not hold is a not-found."""
        with pytest.raises(tk.ObjectNotFound):
            helpers.call_action("govshare_role_revoke", organization_id=world.org["id"],
                                user_id=world.user["id"], role="reviewer")


class TestList:
    def test_by_department_user_and_role(self, world):
        """Roles are listed per department or per user, with names and unit names."""
        helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                            user_id=world.user["id"], role="compiler", units=["XXZX", "BGS"])
        helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                            user_id=world.editor["id"], role="reviewer")
        helpers.call_action("govshare_role_grant", organization_id=world.other["id"],
                            user_id=world.user["id"], role="coordinator")

        in_org = helpers.call_action("govshare_role_list", _as(world.member),
                                     organization_id=world.org["name"])
        assert [(r["user_name"], r["role"]) for r in in_org] == [
            (world.user["name"], "compiler"), (world.editor["name"], "reviewer")]
        assert in_org[0]["unit_names"] == ["信息中心", "办公室"]
        assert in_org[0]["organization_name"] == world.org["name"]

        mine = helpers.call_action("govshare_role_list", _as(world.user),
                                   user_id=world.user["id"])
        assert {(r["organization_id"], r["role"]) for r in mine} == {
            (world.org["id"], "compiler"), (world.other["id"], "coordinator")}

        only = helpers.call_action("govshare_role_list", organization_id=world.org["id"],
                                   role="reviewer")
        assert [r["user_id"] for r in only] == [world.editor["id"]]

    def test_needs_a_department_or_a_user(self, clean_db):
        """Listing every role of the portal at once is not offered."""
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_role_list")
        assert "organization_id" in e.value.error_dict


# -- auth: one test per actor kind and action ----------------------------------------------------

@pytest.mark.parametrize("actor, allowed", [
    ("sysadmin", True), ("admin", True), ("editor", False), ("member", False),
    ("other_admin", False), ("anonymous", False),
])
def test_auth_grant(world, actor, allowed):
    """Only the department's administrators and sysadmins grant roles."""
    result = outcome("govshare_role_grant", world, actor, organization_id=world.org["id"],
                      user_id=world.user["id"], role="reviewer")
    if allowed:
        assert result["role"] == "reviewer"
    else:
        assert result is tk.NotAuthorized
        assert model.Session.query(Role).count() == 0


@pytest.mark.parametrize("actor, allowed", [
    ("sysadmin", True), ("admin", True), ("editor", False), ("member", False),
    ("other_admin", False), ("anonymous", False),
])
def test_auth_revoke(world, actor, allowed):
    """Only the department's administrators and sysadmins revoke roles."""
    helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                        user_id=world.user["id"], role="reviewer")
    result = outcome("govshare_role_revoke", world, actor, organization_id=world.org["id"],
                      user_id=world.user["id"], role="reviewer")
    if allowed:
        assert result["remaining_roles"] == []
    else:
        assert result is tk.NotAuthorized
        assert roles.has_role(world.user["id"], world.org["id"], "reviewer")


@pytest.mark.parametrize("actor, allowed", [
    ("sysadmin", True), ("admin", True), ("editor", True), ("member", True),
    ("other_admin", False), ("anonymous", False),
])
def test_auth_list_department(world, actor, allowed):
    """Any member of the department (and sysadmins) lists its roles."""
    result = outcome("govshare_role_list", world, actor, organization_id=world.org["id"])
    assert result == ([] if allowed else tk.NotAuthorized)


@pytest.mark.parametrize("actor, allowed", [
    ("sysadmin", True), ("admin", False), ("editor", False), ("member", False),
    ("other_admin", False), ("anonymous", False),
])
def test_auth_list_other_user(world, actor, allowed):
    """Another user's roles across departments: sysadmins only."""
    result = outcome("govshare_role_list", world, actor, user_id=world.user["id"])
    assert result == ([] if allowed else tk.NotAuthorized)


def test_auth_list_own_roles(world):
    """Every logged-in user lists their own roles."""
    assert helpers.call_action("govshare_role_list", _as(world.user),
                               user_id=world.user["name"]) == []
