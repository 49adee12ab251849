"""Packaging of ckanext-govshare.

``schemas/`` and ``i18n/`` live at the top of the repository (the design card fixes the layout)
and are mapped into the package as ``ckanext.govshare.schemas`` and ``ckanext.govshare.i18n``,
so a non-editable ``pip install .`` ships and loads them too.
"""
from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-govshare",
    version="0.1.0",
    description="Government data sharing catalogue for CKAN (DB14 部门内部管理规范)",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    # every package under ckanext/ ships without being listed (a new feature package cannot be
    # forgotten); schemas/ and i18n/ are mapped in below
    packages=find_namespace_packages(include=["ckanext", "ckanext.*"])
    + ["ckanext.govshare.schemas", "ckanext.govshare.i18n"],
    package_dir={
        "ckanext.govshare.schemas": "schemas",
        "ckanext.govshare.i18n": "i18n",
    },
    include_package_data=True,
    package_data={
        "ckanext.govshare": [
            "config_declaration.yaml",
            "templates/**/*",
            "assets/**/*",
            "public/**/*",
            "migration/govshare/*",
            "migration/govshare/versions/*.py",
            "data/*",
        ],
        "ckanext.govshare.schemas": ["*.yaml", "*.json"],
        "ckanext.govshare.i18n": ["*.pot", "*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"],
    },
    install_requires=[
        "ckanext-scheming>=3.1.0",
        "ckanapi>=4.11",
        "rjieba>=0.2.2",
        "holidays>=0.80",
        "chinesecalendar>=1.10",
        "openpyxl>=3.1",
        # reading the 1272 Excel template (ckan govshare import, the upload page)
        "python-calamine>=0.9.1",
        # the DCAT harvest endpoint: a ckanext-dcat profile over rdflib
        "ckanext-dcat>=2.4.4",
        "rdflib>=7.0",
    ],
    entry_points={
        "ckan.plugins": [
            "govshare = ckanext.govshare.plugin:GovsharePlugin",
            "govshare_dcat = ckanext.govshare.plugin:GovshareDcatPlugin",
        ],
        # the DCAT harvest endpoint's profile: ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govshare
        "ckan.rdf.profiles": [
            "govshare = ckanext.govshare.exchange.dcat_profile:GovshareDCATProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
