"""Every CKAN core auth function govshare chains, each defined once, its features' steps here.

A step is a function of a feature module, ``step(next_auth, context, data_dict)``, that decides
around ``next_auth`` (CKAN's own rule, or another plugin's). No auth function has steps of two
features today; where one does, the first step named is the outer one and runs first.

The feature modules hold the steps and their rules: :mod:`.lifecycle` (who sees an entry and
its data, asked of :mod:`ckanext.govshare.permissions`), :mod:`.catalogue` (who compiles an
entry) and :mod:`.activity` (who reads an activity now).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.logic.auth import activity, catalogue, department, lifecycle

__all__ = [
    "activity_data_show",
    "activity_diff",
    "activity_show",
    "group_create",
    "organization_create",
    "package_collaborator_list",
    "package_create",
    "package_show",
    "package_update",
    "resource_show",
]


# -- datasets ------------------------------------------------------------------------------------


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """A catalogue entry is seen by whom :func:`permissions.can_see_entry` says."""
    return lifecycle.may_see_entry(next_auth, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def resource_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """Core rule, then an entry's data is seen by whom :func:`permissions.can_see_resources`
    says."""
    return lifecycle.may_see_entry_data(next_auth, context, data_dict)


@tk.chained_auth_function
def package_collaborator_list(next_auth: Any, context: Context,
                              data_dict: DataDict) -> AuthResult:
    """Core rule for logged-in users; anonymous callers are refused."""
    return lifecycle.logged_in_only(next_auth, context, data_dict)


@tk.chained_auth_function
def package_create(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Core rule, then: an entry of a unit only by that unit's compilers (or admins); a
    dataset of another type only by sysadmins, or when the type is a declared extra type."""
    return catalogue.may_compile_new_entry(next_auth, context, data_dict)


@tk.chained_auth_function
def package_update(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Core rule, then: the entry's current and new unit must both be the compiler's."""
    return catalogue.may_compile_entry(next_auth, context, data_dict)


# -- departments and groups -----------------------------------------------------------------------


@tk.chained_auth_function
def organization_create(next_auth: Any, context: Context,
                        data_dict: DataDict | None) -> AuthResult:
    """Only sysadmins create departments."""
    return department.platform_creates_only(next_auth, context, data_dict)


@tk.chained_auth_function
def group_create(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Only sysadmins create groups (a government catalogue does not use them)."""
    return department.platform_creates_only(next_auth, context, data_dict)


# -- the activity plugin's single activities -----------------------------------------------------


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def activity_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """An activity of a dataset: those who may see the dataset now; then CKAN's checks."""
    return activity.may_read_activity(next_auth, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def activity_data_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """As :func:`activity_show` (CKAN's then asks for the data: ``package_update``)."""
    return activity.may_read(next_auth, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def activity_diff(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """As :func:`activity_show` (CKAN's then asks for the data: ``package_update``)."""
    return activity.may_read(next_auth, context, data_dict)
