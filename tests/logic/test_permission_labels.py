"""A user's permission labels read by permissions.py are exactly core's.

``permissions._read_core_labels`` answers what CKAN's ``DefaultPermissionLabels
.get_user_dataset_labels`` answers (``organization_list_for_user`` with ``read``) with two
statements instead of core's seven; every search and show filters by these labels, so the two
must agree for every kind of membership: none, member, editor, administrator (whose rights
cascade to sub-departments), a membership ended, a department deleted, a group that is not a
department, and a sysadmin.
"""
from __future__ import annotations

import ckan.model as model
import pytest
from ckan.lib.plugins import DefaultPermissionLabels
from ckan.tests import factories, helpers

from ckanext.govshare import permissions

from .. import factories as gs

pytestmark = pytest.mark.usefixtures("clean_db")


def _core(user: dict) -> set[str]:
    return set(DefaultPermissionLabels().get_user_dataset_labels(model.User.get(user["id"])))


def _ours(user: dict) -> set[str]:
    return set(permissions._read_core_labels(model.User.get(user["id"])))


def test_labels_read_are_cores_for_every_kind_of_membership():
    parent, other = gs.department(gs.SAMR), gs.department(gs.GAT)
    child = factories.Organization(groups=[{"name": parent["name"], "capacity": "parent"}])
    gone = factories.Organization()
    group = factories.Group()
    users = {
        "none": gs.user(),
        "member": gs.user(other, capacity="member"),
        "editor": gs.user(other, capacity="editor"),
        "admin of a parent": gs.user(parent, capacity="admin"),
        "member of a parent": gs.user(parent, capacity="member"),
        "of a deleted department": gs.user(gone, capacity="editor"),
        "ended": gs.user(other, capacity="editor"),
        "of a group": gs.user(),
        "sysadmin": factories.Sysadmin(),
    }
    helpers.call_action("organization_member_delete", gs.site(), id=other["id"],
                        username=users["ended"]["name"])
    helpers.call_action("organization_delete", gs.site(), id=gone["id"])
    helpers.call_action("group_member_create", gs.site(), id=group["id"],
                        username=users["of a group"]["name"], role="member")
    assert f"member-{child['id']}" in _core(users["admin of a parent"])  # the cascade is there
    assert f"member-{child['id']}" not in _core(users["member of a parent"])
    for kind, user in users.items():
        assert _ours(user) == _core(user), kind
