"""Wiring only: every hook delegates to the module that owns the behaviour."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import config as gs_config
from . import search


@tk.blanket.config_declarations
class GovsharePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        # the search backend must be in place before CKAN's environment checks Solr
        if gs_config.search_backend() == "postgres":
            search.install()
        else:
            search.uninstall()

    # ITranslation
    def i18n_directory(self) -> str:
        from . import i18n  # type: ignore[attr-defined]

        return os.path.dirname(i18n.__file__)

    def i18n_locales(self) -> list[str]:
        return ["zh_Hans_CN"]

    def i18n_domain(self) -> str:
        return "ckanext-govshare"
