"""Every CKAN core action govshare chains, each defined once, its features' steps composed here.

A step is a function of a feature module, ``step(up, context, data_dict)``, that does its part
around ``up``: the next step, or CKAN's own action at the end. Where two features take part in
one action, the order is written in the action below: the first step named is the outer one
and runs first, the second runs inside it (as its ``up``), core's action innermost. The order
is the one the extension had before the actions moved here (department, lifecycle, catalogue,
assessment, visibility, activity: an earlier feature outside a later one).

The feature modules hold the steps and their rules: :mod:`.department` (roles end with the
membership), :mod:`.lifecycle` (redaction, ``govshare_lifecycle``, revisions, locked states),
:mod:`.catalogue` (generated fields), :mod:`.visibility` (CKAN's read paths ask
:mod:`ckanext.govshare.permissions`) and :mod:`.activity` (the activity plugin's answers).
"""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.govshare.logic.action import activity, catalogue, department, lifecycle, visibility

__all__ = [
    "activity_data_show",
    "activity_diff",
    "activity_show",
    "am_following_dataset",
    "current_package_list_with_resources",
    "dashboard_activity_list",
    "dataset_follower_count",
    "format_autocomplete",
    "group_activity_list",
    "member_create",
    "member_delete",
    "member_list",
    "organization_activity_list",
    "organization_delete",
    "organization_purge",
    "package_activity_list",
    "package_create",
    "package_list",
    "package_owner_org_update",
    "package_relationships_list",
    "package_resource_reorder",
    "package_search",
    "package_show",
    "package_update",
    "recently_changed_packages_activity_list",
    "resource_create",
    "resource_delete",
    "resource_search",
    "resource_show",
    "resource_update",
    "tag_autocomplete",
    "tag_list",
    "tag_search",
    "tag_show",
    "user_activity_list",
    "user_delete",
    "user_list",
    "user_show",
]


def _inside(step: Any, up: Action) -> Action:
    """``step`` with ``up`` as its next action: the inner part of a composition."""
    return functools.partial(step, up)


# -- datasets: show, search, write -----------------------------------------------------------------


@tk.chained_action
@tk.side_effect_free
def package_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_show``, minus what the user may not see, plus ``govshare_lifecycle``; an
    entry the user may not know of is "not found"."""
    # lifecycle (outer): redact and attach govshare_lifecycle to the answer of
    # visibility (inner): a refusal of an entry the user may not know of becomes "not found"
    # access log (outermost): an outsider handed the entry's data is recorded
    return visibility.log_package_access(_inside(
        lifecycle.show_with_lifecycle,
        _inside(visibility.unknown_package_not_found, up)), context, data_dict)


@tk.chained_action
@tk.side_effect_free
def package_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_search`` (permission labels applied), raw index fields guarded, results
    redacted, with ``govshare_lifecycle``."""
    # lifecycle (outer): redact the results and attach govshare_lifecycle, around
    # visibility (inner): refuse malformed parameters and data fields, redact ``fl`` documents
    return lifecycle.search_with_lifecycle(
        _inside(visibility.guard_search, up), context, data_dict)


@tk.chained_action
def package_create(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_create``, with a catalogue entry's generated fields filled first; a
    harvested copy takes its source's state, a sysadmin's entry the state it is given (a dump
    loaded by ckanapi)."""
    # visibility (outermost): the search document in the caller's transaction when asked; then
    # lifecycle (outer): a harvester's copy created as the lifecycle's own write; then
    # lifecycle: a sysadmin's given catalogue_state imported after the create, in its
    # transaction (the lifecycle's own writes pass); then
    # catalogue (inner): the generated fields filled; then core
    return visibility.index_in_transaction(_inside(lifecycle.create_entry_or_copy, _inside(
        lifecycle.create_in_given_state, _inside(catalogue.prepare_new_entry, up))),
        context, data_dict)


@tk.chained_action
def package_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_update``; an edit of a published entry becomes a revision, a locked
    entry is not edited, and an entry keeps its generated fields."""
    # visibility (outermost): the search document in the caller's transaction when asked; then
    # lifecycle (outer): locked states, published edits become revisions (these never reach
    # the inner steps), the lifecycle's own writes pass; then
    # catalogue (inner): the resource code kept, the generated fields filled; then core
    return visibility.index_in_transaction(_inside(lifecycle.update_or_revise, _inside(
        catalogue.prepare_entry_update, up)), context, data_dict)


@tk.chained_action
def package_owner_org_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_owner_org_update``: only a draft entry moves to another department, and
    its search document (with its permission labels) moves with it."""
    if context.get("defer_commit"):  # the caller (package_update/create) reindexes and commits
        return lifecycle.move_drafts_only(up, context, data_dict)
    # core writes owner_org without reindexing: the search document would keep the old
    # department's labels. The move and the new document commit together.
    result = lifecycle.move_drafts_only(up, dict(context, defer_commit=True), data_dict)
    visibility.reindex(data_dict.get("id"))
    return result


@tk.chained_action
def package_resource_reorder(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_resource_reorder``, refused while the entry is locked."""
    return lifecycle.reorder_resources_unless_locked(up, context, data_dict)


@tk.chained_action
def resource_create(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``resource_create``, refused while the entry is locked; not a revision."""
    return lifecycle.create_resource_unless_locked(up, context, data_dict)


@tk.chained_action
def resource_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``resource_update`` (and so ``resource_patch``), refused while the entry is
    locked; not a revision."""
    return lifecycle.update_resource_unless_locked(up, context, data_dict)


@tk.chained_action
def resource_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``resource_delete``, refused while the entry is locked; not a revision."""
    return lifecycle.delete_resource_unless_locked(up, context, data_dict)


# -- read paths: only what the user may see ------------------------------------------------------


@tk.chained_action
@tk.side_effect_free
def resource_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``resource_show``; a resource of an entry the user may not know of is "not
    found"."""
    # access log (outer) around "not found" for a resource of an entry the user may not know of
    return visibility.log_resource_access(
        _inside(visibility.unknown_resource_not_found, up), context, data_dict)


@tk.chained_action
@tk.side_effect_free
def package_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_list``: only the entries the user may see."""
    return visibility.filter_package_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def current_package_list_with_resources(up: Action, context: Context,
                                        data_dict: DataDict) -> Any:
    """Core's list, through the chained ``package_search``."""
    return visibility.current_packages_through_search(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def member_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``member_list``: datasets among the members only where the user may see them."""
    return visibility.filter_member_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def resource_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``resource_search``: only resources whose data the user may see."""
    return visibility.filter_resource_search(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def format_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``format_autocomplete``, over the resources whose data the user may see."""
    return visibility.filter_format_autocomplete(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def user_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``user_show``; ``number_created_packages`` counts only visible entries."""
    return visibility.filter_user_show(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def user_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``user_list``; ``number_created_packages`` counts only visible entries."""
    return visibility.filter_user_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def tag_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_list``: only tags of entries the user may see."""
    return visibility.filter_tag_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def tag_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_search``: only tags of entries the user may see."""
    return visibility.filter_tag_search(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_autocomplete``: only tags of entries the user may see."""
    return visibility.filter_tag_autocomplete(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def tag_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_show``: a tag no visible entry carries is not found."""
    return visibility.filter_tag_show(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dataset_follower_count(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core action; an entry the user may not see answers as an unknown dataset."""
    return visibility.as_unknown(up, context, data_dict, "id")


@tk.chained_action
@tk.side_effect_free
def am_following_dataset(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core action; an entry the user may not see answers as an unknown dataset."""
    return visibility.as_unknown(up, context, data_dict, "id")


@tk.chained_action
@tk.side_effect_free
def package_relationships_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core action; an entry the user may not see answers as an unknown dataset."""
    return visibility.as_unknown(up, context, data_dict, "id", "id2")


# -- memberships: a govshare role ends with the membership that supports it ------------------------


@tk.chained_action
def member_create(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``member_create``: a capacity lowered below a role's need ends the role."""
    return department.end_roles_below_capacity(up, context, data_dict)


@tk.chained_action
def member_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``member_delete``: a user removed from a department loses its roles there."""
    return department.end_roles_of_removed_member(up, context, data_dict)


@tk.chained_action
def user_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``user_delete``: the user's roles end."""
    return department.end_roles_of_deleted_user(up, context, data_dict)


@tk.chained_action
def organization_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``organization_delete``: the department's roles end."""
    return department.end_roles_of_deleted_department(up, context, data_dict)


@tk.chained_action
def organization_purge(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``organization_purge``: the department's roles end (their history stays)."""
    return department.end_roles_of_purged_department(up, context, data_dict)


# -- the activity plugin's actions: what the reader may read now, redacted -------------------------


@tk.chained_action
@tk.side_effect_free
def package_activity_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_activity_list``, snapshots redacted for the reader."""
    return activity.readable_activity_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def organization_activity_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``organization_activity_list``, only what the reader may read, redacted."""
    return activity.readable_activity_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def group_activity_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``group_activity_list``, only what the reader may read, redacted."""
    return activity.readable_activity_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def user_activity_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``user_activity_list``, only what the reader may read, redacted (the user's
    acts: no lifecycle step told without its actor)."""
    return activity.readable_activity_list(up, context, data_dict, by_actor=True)


@tk.chained_action
@tk.side_effect_free
def dashboard_activity_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``dashboard_activity_list``, only what the reader may read, redacted."""
    return activity.readable_dashboard_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def recently_changed_packages_activity_list(up: Action, context: Context,
                                            data_dict: DataDict) -> Any:
    """CKAN's ``recently_changed_packages_activity_list``, only what the reader may read,
    redacted."""
    return activity.readable_recent_list(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def activity_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``activity_show``, its snapshot redacted for the reader."""
    return activity.redact_activity(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def activity_data_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``activity_data_show``, the data redacted for the reader."""
    return activity.redact_activity_data(up, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def activity_diff(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``activity_diff``, made from the redacted activities."""
    return activity.redact_activity_diff(up, context, data_dict)
