"""Wiring only: every hook delegates to the module that owns the behaviour."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.govshare import config as gs_config
from ckanext.govshare import i18n, permissions, search
from ckanext.govshare.activity import lifecycle as lifecycle_activity
from ckanext.govshare.catalogue import entry, facets
from ckanext.govshare.exchange import dcat_feed, dcat_harvest
from ckanext.govshare.lifecycle import options as lifecycle_options
from ckanext.govshare.logic import dcat as dcat_logic
from ckanext.govshare.logic import schema as gs_schema
from ckanext.govshare.sharing import authorizations, demand
from ckanext.govshare.sharing import security as sharing_security
from ckanext.govshare.views import harvest as harvest_views


def _lang() -> str:
    try:
        return tk.h.lang() or tk.config.get("ckan.locale_default")
    except (RuntimeError, TypeError, AttributeError):
        return tk.config.get("ckan.locale_default") or "en"


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
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
    p.implements(p.ISignal)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "ckanext-govshare")
        # the search backend must be in place before CKAN's environment checks Solr
        if gs_config.search_backend() == "postgres":
            search.install()
        else:
            search.uninstall()

    # IConfigurer: the home page's notices are edited on /ckan-admin/config too
    def update_config_schema(self, schema: Any) -> Any:
        return gs_schema.config_options(schema)

    # IConfigurable: options that need the loaded schema are checked once every plugin is set
    # up; the lifecycle's activity type joins ckanext-activity's
    def configure(self, config: Any) -> None:
        lifecycle_options.check()
        lifecycle_activity.register()

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

    # ISignal: an entry going offline or tightened suspends its authorizations (every process);
    # a published entry fulfils the demands it answers; a lifecycle step is an activity
    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        subscriptions = authorizations.signal_subscriptions()
        # security: the grade sign-off
        for module in (demand, sharing_security, lifecycle_activity):
            for signal, listeners in module.signal_subscriptions().items():
                subscriptions.setdefault(signal, []).extend(listeners)
        return subscriptions

    # ITranslation
    def i18n_directory(self) -> str:
        return os.path.dirname(i18n.__file__)

    def i18n_locales(self) -> list[str]:
        return ["zh_Hans_CN"]

    def i18n_domain(self) -> str:
        return "ckanext-govshare"


class GovshareDcatPlugin(p.SingletonPlugin):
    """The harvest endpoint (``govshare_dcat``, with ckanext-dcat's ``dcat``): the entries'
    DCAT fragments kept current with every write, ``/catalog.{ttl,jsonld,xml}`` served from them;
    and the harvesting side, for ckanext-dcat's ``dcat_rdf_harvester``."""

    p.implements(p.IConfigurable)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.IPackageController, inherit=True)
    p.implements(IDCATRDFHarvester, inherit=True)

    # IConfigurable: the actions chained here are ckanext-dcat's, and the catalogue view must
    # be registered before dcat's own view of the same path (the first registered answers)
    def configure(self, config: Any) -> None:
        plugins = config.get("ckan.plugins")
        plugins = plugins.split() if isinstance(plugins, str) else list(plugins or [])
        if "dcat" not in plugins or plugins.index("dcat") < plugins.index("govshare_dcat"):
            raise RuntimeError("ckan.plugins: govshare_dcat needs ckanext-dcat's dcat plugin, "
                               "listed after it")

    # IBlueprint
    def get_blueprint(self) -> Any:
        return [harvest_views.catalog]

    # IActions, IAuthFunctions
    def get_actions(self) -> dict[str, Any]:
        return dcat_logic.get_actions()

    def get_auth_functions(self) -> dict[str, Any]:
        return dcat_logic.get_auth_functions()

    # IPackageController: the fragment follows every write of the entry, in its transaction
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        dcat_feed.index_hook(pkg_dict)
        return pkg_dict

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        dcat_feed.forget_entry(pkg_dict["id"])

    # IDCATRDFHarvester (a portal harvesting another with dcat_rdf_harvester): the source's API
    # token, each copy's department by its publisher's 统一社会信用代码
    def before_download(self, url: str, harvest_job: Any) -> tuple[str, list[str]]:
        return dcat_harvest.before_download(url, harvest_job)

    def update_session(self, session: Any) -> Any:
        return dcat_harvest.update_session(session)

    def before_create(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        dcat_harvest.prepare_copy(dataset_dict, new=True)

    def before_update(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        dcat_harvest.prepare_copy(dataset_dict, new=False)
