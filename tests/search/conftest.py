"""The search backend is tested on CKAN's core dataset schema, without the catalogue schema.

The backend must answer whatever CKAN indexes, so these tests load only ``govshare`` (which
installs the backend) and ``activity``; the catalogue schema has its own tests.
"""
import pathlib

import pytest

HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.ckan_config("ckan.plugins", "govshare activity"))
