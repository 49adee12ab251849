"""Wiring only: every hook delegates to the module that owns the behaviour."""
from __future__ import annotations

import functools
import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions, search
from ckanext.govshare.catalogue import entry, facets


def _logic(kind: str) -> Any:
    """Blanket subject: ``logic/<kind>.py``, ``logic/lifecycle_<kind>.py`` and
    ``logic/catalogue_<kind>.py`` (the chained core actions and auth functions).

    A core action chained by two of these modules (``package_update``) becomes one chained
    action: the earlier module's function runs first and calls the later one's as its ``up``.
    """

    def members() -> dict[str, Any]:
        import importlib

        from ckan.authz import get_local_functions

        found: dict[str, Any] = {}
        modules = ("department", "lifecycle", "catalogue", "assessment", "visibility", "activity")
        for module_name in modules:
            try:
                module = importlib.import_module(f"{__package__}.logic.{kind}.{module_name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__package__}.logic.{kind}.{module_name}":
                    raise
                continue  # this feature has no functions of this kind
            exported = getattr(module, "__all__", None)
            members = ({n: getattr(module, n) for n in exported} if exported
                       else dict(get_local_functions(module)))
            for name, func in members.items():
                outer = found.get(name)
                chained = "chained_action" if kind == "action" else "chained_auth_function"
                if outer is not None and getattr(outer, chained, False) \
                        and getattr(func, chained, False):
                    func = _compose(outer, func)
                found[name] = func
        return found

    return members


def _lang() -> str:
    try:
        return tk.h.lang() or tk.config.get("ckan.locale_default")
    except (RuntimeError, TypeError, AttributeError):
        return tk.config.get("ckan.locale_default") or "en"


def _compose(outer: Any, inner: Any) -> Any:
    @functools.wraps(outer)
    def chained(up: Any, context: Any, data_dict: Any) -> Any:
        return outer(functools.partial(inner, up), context, data_dict)

    return chained


@tk.blanket.config_declarations
@tk.blanket.actions(_logic("action"))
@tk.blanket.auth_functions(_logic("auth"))
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.validators
class GovsharePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "ckanext-govshare")
        # the search backend must be in place before CKAN's environment checks Solr
        if gs_config.search_backend() == "postgres":
            search.install()
        else:
            search.uninstall()

    # IConfigurable: options that need the loaded schema are checked once every plugin is set up
    def configure(self, config: Any) -> None:
        gs_config.check()

    # IPackageController: the resource-code register joins the dataset's transaction
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        entry.claim_code(pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        entry.claim_code(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return facets.label_facets(search_results, _lang())

    # IFacets
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return facets.dataset_facets(facets_dict, package_type)

    # IPermissionLabels: who sees a catalogue entry is permissions.py's decision
    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return permissions.dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return permissions.user_labels(user_obj)

    # ITranslation
    def i18n_directory(self) -> str:
        from ckanext.govshare import i18n  # type: ignore[attr-defined]

        return os.path.dirname(i18n.__file__)

    def i18n_locales(self) -> list[str]:
        return ["zh_Hans_CN"]

    def i18n_domain(self) -> str:
        return "ckanext-govshare"
