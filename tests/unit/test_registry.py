"""The action and auth registries (issue #9 §3): every name exported by one module only, the
chained core functions all in ``core.py``, every ``govshare_*`` action with its auth function,
and the names the plugin registers the ones it registered before the registry was rewritten."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import pytest

from ckanext.govshare.logic import action, auth, registry
from ckanext.govshare.plugin import GovsharePlugin

#: core actions govshare chains (``logic/action/core.py``)
CHAINED_ACTIONS = frozenset({
    "activity_data_show", "activity_diff", "activity_show", "am_following_dataset",
    "current_package_list_with_resources", "dashboard_activity_list", "dataset_follower_count",
    "format_autocomplete", "group_activity_list", "member_create", "member_delete", "member_list",
    "organization_activity_list", "organization_delete", "organization_purge",
    "package_activity_list", "package_create", "package_list", "package_owner_org_update",
    "package_relationships_list", "package_resource_reorder", "package_search", "package_show",
    "package_update", "recently_changed_packages_activity_list", "resource_create",
    "resource_delete", "resource_search", "resource_show", "resource_update", "tag_autocomplete",
    "tag_list", "tag_search", "tag_show", "user_activity_list", "user_delete", "user_list",
    "user_show",
})

#: the sharing flows' actions (issue #10), each with its auth function of the same name
SHARING_NAMES = frozenset({
    "govshare_access_log_list", "govshare_access_overview", "govshare_access_request_approve",
    "govshare_access_request_create", "govshare_access_request_deliver",
    "govshare_access_request_endorse", "govshare_access_request_list",
    "govshare_access_request_refuse", "govshare_access_request_resubmit",
    "govshare_access_request_return", "govshare_access_request_show",
    "govshare_access_request_withdraw", "govshare_authorization_agreement_accept",
    "govshare_authorization_expire", "govshare_authorization_list", "govshare_authorization_renew",
    "govshare_authorization_resume", "govshare_authorization_revoke",
    "govshare_authorization_show", "govshare_authorization_suspend", "govshare_collection_approve",
    "govshare_collection_complete", "govshare_collection_create", "govshare_collection_list",
    "govshare_collection_refuse", "govshare_collection_resubmit", "govshare_collection_return",
    "govshare_collection_show", "govshare_collection_withdraw", "govshare_complaint_answer",
    "govshare_complaint_create", "govshare_complaint_list", "govshare_complaint_rate",
    "govshare_complaint_reopen", "govshare_complaint_show", "govshare_complaint_withdraw",
    "govshare_demand_accept", "govshare_demand_create", "govshare_demand_list",
    "govshare_demand_refuse", "govshare_demand_show", "govshare_demand_transfer",
    "govshare_demand_withdraw", "govshare_dispute_close", "govshare_dispute_create",
    "govshare_dispute_decide", "govshare_dispute_escalate", "govshare_dispute_execute",
    "govshare_dispute_list", "govshare_dispute_settle", "govshare_dispute_show",
    "govshare_dispute_withdraw", "govshare_incident_close", "govshare_incident_create",
    "govshare_incident_handle", "govshare_incident_list", "govshare_incident_show",
    "govshare_signoff_list", "govshare_signoff_object", "govshare_signoff_show",
    "govshare_signoff_sign",
})

#: the 1272 workbook's actions (issue #11 §2), each with its auth function of the same name
WORKBOOK_NAMES = frozenset({
    "govshare_catalogue_export", "govshare_catalogue_import_status",
    "govshare_catalogue_import_xlsx",
})

#: what the provincial platform harvested (issue #11 §1), with its auth function
HARVEST_NAMES = frozenset({"govshare_harvest_delivery_list"})

#: the statistics (issue #12 §6) and the duplicates report's decision (§7), with their auth
STATISTICS_NAMES = frozenset({
    "govshare_statistics_show", "govshare_duplicate_dismiss", "govshare_duplicate_undismiss",
})

#: govshare's own actions
GOVSHARE_ACTIONS = SHARING_NAMES | WORKBOOK_NAMES | HARVEST_NAMES | STATISTICS_NAMES | frozenset({
    "govshare_assessment_show", "govshare_assessment_snapshot_create",
    "govshare_assessment_snapshot_list", "govshare_audit_list", "govshare_catalogue_approve",
    "govshare_catalogue_approve_offline", "govshare_catalogue_change_event",
    "govshare_catalogue_import", "govshare_catalogue_queue", "govshare_catalogue_reinstate",
    "govshare_catalogue_reject_offline", "govshare_catalogue_request_offline",
    "govshare_catalogue_return", "govshare_catalogue_submit", "govshare_duplicate_list",
    "govshare_filing_create", "govshare_filing_export", "govshare_filing_file",
    "govshare_filing_list", "govshare_filing_show", "govshare_filing_update",
    "govshare_revision_approve", "govshare_revision_create", "govshare_revision_discard",
    "govshare_revision_list", "govshare_revision_return", "govshare_revision_show",
    "govshare_revision_submit", "govshare_revision_update", "govshare_role_event_list",
    "govshare_role_grant", "govshare_role_list", "govshare_role_revoke",
    "govshare_workbench_list",
})

#: core auth functions govshare chains (``logic/auth/core.py``)
CHAINED_AUTH_FUNCTIONS = frozenset({
    "activity_data_show", "activity_diff", "activity_show", "group_create",
    "organization_create", "package_collaborator_list",
    "package_create", "package_show", "package_update", "resource_show",
})

#: govshare's own auth functions
GOVSHARE_AUTH_FUNCTIONS = SHARING_NAMES | WORKBOOK_NAMES | HARVEST_NAMES | STATISTICS_NAMES | frozenset({
    "govshare_assessment_show", "govshare_assessment_snapshot_create",
    "govshare_assessment_snapshot_list", "govshare_audit_list", "govshare_catalogue_approve",
    "govshare_catalogue_approve_offline", "govshare_catalogue_change_event",
    "govshare_catalogue_import", "govshare_catalogue_queue", "govshare_catalogue_reinstate",
    "govshare_catalogue_reject_offline", "govshare_catalogue_request_offline",
    "govshare_catalogue_return", "govshare_catalogue_review", "govshare_catalogue_submit",
    "govshare_duplicate_list", "govshare_filing_create", "govshare_filing_export",
    "govshare_filing_file", "govshare_filing_list", "govshare_filing_show",
    "govshare_filing_update", "govshare_permission_manage_department",
    "govshare_permission_read_department", "govshare_revision_approve", "govshare_revision_create",
    "govshare_revision_discard", "govshare_revision_list", "govshare_revision_return",
    "govshare_revision_show", "govshare_revision_submit", "govshare_revision_update",
    "govshare_role_event_list", "govshare_role_grant", "govshare_role_list",
    "govshare_role_revoke", "govshare_workbench_list",
})

#: govshare auth functions no action is named after: the capabilities the others are composed
#: from, and the check that puts the review queue in the navigation
AUTH_WITHOUT_ACTION = frozenset({
    "govshare_permission_manage_department", "govshare_permission_read_department",
    "govshare_catalogue_review",
})

#: govshare actions without an auth function of the same name (none)
ACTIONS_WITHOUT_AUTH: frozenset[str] = frozenset()

LAYERS = pytest.mark.parametrize(
    ("package", "chained"), [(action, "chained_action"), (auth, "chained_auth_function")],
    ids=["action", "auth"])


def _modules(package: types.ModuleType) -> list[types.ModuleType]:
    """Every module of the package, found on disk (not the ones its ``__init__`` names)."""
    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)]


def _module(name: str, *exported: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__all__ = list(exported)  # type: ignore[attr-defined]
    for item in exported:
        setattr(module, item, lambda context, data_dict: None)
    return module


@LAYERS
def test_every_module_lists_its_exports(package, chained):
    """Each module says what it registers: an explicit ``__all__``."""
    assert [m.__name__ for m in _modules(package) if "__all__" not in vars(m)] == []


@LAYERS
def test_no_name_is_exported_by_two_modules(package, chained):
    """A name exported twice would be one function silently replacing another."""
    owners: dict[str, list[str]] = {}
    for module in _modules(package):
        for name in module.__all__:
            owners.setdefault(name, []).append(module.__name__)
    assert {name: found for name, found in owners.items() if len(found) > 1} == {}


@LAYERS
def test_every_module_is_collected(package, chained):
    """A module the package's ``__init__`` does not name would register nothing."""
    for module in _modules(package):
        for name in module.__all__:
            assert name in package.__all__, (module.__name__, name)
            assert getattr(package, name) is getattr(module, name), (module.__name__, name)


@LAYERS
def test_chained_functions_are_defined_in_core_only(package, chained):
    """``core.py`` exports the chained core functions and nothing else; a feature module
    exports ``govshare_*`` functions only and defines no chained function of its own (its
    steps are composed in ``core.py``, in an order written there)."""
    for module in _modules(package):
        if module.__name__ == f"{package.__name__}.core":
            assert all(getattr(getattr(module, n), chained, False) for n in module.__all__)
            assert [n for n in module.__all__ if n.startswith("govshare_")] == []
            continue
        assert [n for n in module.__all__ if not n.startswith("govshare_")] == [], \
            module.__name__
        own = [name for name, func in vars(module).items()
               if inspect.isfunction(func) and func.__module__ == module.__name__
               and getattr(func, chained, False)]
        assert own == [], module.__name__


def test_a_name_exported_twice_fails_the_import():
    """:func:`registry.export`, which the packages' ``__init__`` run, refuses a duplicate."""
    one = _module("one", "govshare_thing_show", "package_show")
    two = _module("two", "package_show")
    namespace: dict[str, object] = {"__name__": "pkg"}
    with pytest.raises(registry.DuplicateName, match="'package_show' is exported by both one"):
        registry.export(namespace, [one, two])
    assert "govshare_thing_show" not in namespace  # nothing half-registered


def test_a_name_may_not_replace_a_module_of_the_package():
    with pytest.raises(registry.DuplicateName, match="would replace"):
        registry.export({"__name__": "pkg", "core": object()}, [_module("one", "core")])


def test_export_answers_the_sorted_names():
    namespace: dict[str, object] = {}
    assert registry.export(namespace, [_module("b", "z", "a"), _module("c", "m")]) == \
        ["a", "m", "z"]
    assert set(namespace) == {"a", "m", "z"}


def test_registered_actions_are_unchanged():
    """The plugin registers the same actions as before ``logic/action/core.py``; the chained
    ones are exactly the core actions."""
    actions = GovsharePlugin().get_actions()
    assert set(actions) == CHAINED_ACTIONS | GOVSHARE_ACTIONS
    assert {n for n, f in actions.items() if getattr(f, "chained_action", False)} \
        == CHAINED_ACTIONS


def test_registered_auth_functions_are_unchanged():
    functions = GovsharePlugin().get_auth_functions()
    assert set(functions) == CHAINED_AUTH_FUNCTIONS | GOVSHARE_AUTH_FUNCTIONS
    assert {n for n, f in functions.items() if getattr(f, "chained_auth_function", False)} \
        == CHAINED_AUTH_FUNCTIONS


def test_every_govshare_action_has_its_auth_function():
    """An action checks access with the auth function of its name (deny by default)."""
    actions = {n for n in GovsharePlugin().get_actions() if n.startswith("govshare_")}
    functions = {n for n in GovsharePlugin().get_auth_functions() if n.startswith("govshare_")}
    assert actions - functions == ACTIONS_WITHOUT_AUTH
    assert functions - actions == AUTH_WITHOUT_ACTION
