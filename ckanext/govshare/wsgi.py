"""The WSGI entry of a production server: ``CKAN_INI=/etc/ckan/portal.ini gunicorn
'ckanext.govshare.wsgi:application'``.

CKAN's own ``wsgi.py`` (in CKAN's source tree, not in its wheel) does the same: read the ini
with ``ckan.cli.CKANConfigLoader`` (the ``use = config:`` chain, ``%(here)s``, ``CKAN_*``
environment defaults, the ini's logging sections) and hand the whole configuration to
``ckan.config.middleware.make_app``. Giving ``make_app`` only ``{"__file__": path}`` loads no
ini at all: every worker then dies on ``SECRET_KEY: Missing value``.

``application`` is built on first access (PEP 562), once per process, so importing this module
reads no configuration; with gunicorn's default (no ``--preload``) each worker builds its own app
and its own database connections. ``make_application("/path/to/portal.ini")`` names the ini
explicitly instead of ``CKAN_INI``.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Any

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

__all__ = ["config_path", "make_application"]  # and ``application``, built on first access

log = logging.getLogger(__name__)

_built: dict[str, Any] = {}
_lock = threading.Lock()


def config_path(ini_path: str | None = None) -> str:
    """The absolute path of the ini: ``ini_path``, else ``$CKAN_INI``; it must exist."""
    source = "argument"
    if not ini_path:
        ini_path, source = os.environ.get("CKAN_INI", ""), "$CKAN_INI"
    if not ini_path:
        raise RuntimeError(
            "CKAN_INI is not set: export CKAN_INI=/path/to/portal.ini before starting the "
            "WSGI server (or use 'ckanext.govshare.wsgi:make_application(\"/path/to/portal.ini\")')"
        )
    path = os.path.abspath(os.path.expanduser(ini_path))
    if not os.path.isfile(path):
        raise RuntimeError(f"CKAN config file not found: {path} (from {source})")
    return path


def make_application(ini_path: str | None = None) -> Any:
    """CKAN's WSGI app configured from ``ini_path`` (default ``$CKAN_INI``)."""
    path = config_path(ini_path)
    # the loader also applies the ini's [loggers]/[handlers]/[formatters] when it has them,
    # through logging.config.fileConfig, which disables every logger that existed before it:
    # the server's own (gunicorn.access, gunicorn.error) would fall silent in every worker
    enabled = [lg for lg in logging.root.manager.loggerDict.values()
               if isinstance(lg, logging.Logger) and not lg.disabled]
    config = CKANConfigLoader(path).get_config()
    for lg in enabled:
        lg.disabled = False
    log.info("Using configuration file %s", path)
    return make_app(config)


def __getattr__(name: str) -> Any:
    if name != "application":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        if "application" not in _built:
            try:
                _built["application"] = make_application()
            except AttributeError as e:
                # gunicorn reads an AttributeError here as "no such attribute": keep the cause
                raise RuntimeError(f"building the CKAN application failed: {e!r}") from e
        return _built["application"]
