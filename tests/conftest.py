"""Shared fixtures: CKAN's pytest plugin plus the govshare database and plugin set-up.

Every test outside ``tests/unit`` runs with the plugins of ``test.ini`` loaded
(``with_plugins``), and ``clean_db`` also applies govshare's alembic migrations and empties
govshare's own tables (CKAN's reset only knows core tables).
"""
from __future__ import annotations

import pathlib

import pytest

UNIT = pathlib.Path(__file__).parent / "unit"


def pytest_collection_modifyitems(items):
    for item in items:
        if UNIT not in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.usefixtures("with_plugins"))


_LOADED: dict[str, object] = {"key": None}


@pytest.fixture
def with_plugins(ckan_config, request):
    """CKAN's ``with_plugins``, but plugins stay loaded between tests with the same config.

    Loading and unloading CKAN's plugins around every test (templates, assets, the scheming
    schemas) costs more than most tests; they are reloaded only when a test's
    ``ckan_config`` marks differ from the previous test's.
    """
    marks = tuple(
        (str(m.args[0]), repr(m.args[1])) for m in request.node.iter_markers("ckan_config")
    )
    load_plugins(tuple(sorted(marks)))
    yield


def load_plugins(key: tuple = ()) -> None:
    """Load the configured plugins unless loaded for the same ``ckan_config`` marks ``key``
    (also for module-scoped fixtures, which cannot use ``with_plugins``)."""
    import ckan.plugins
    from ckan.common import config
    from ckan.plugins import core

    wanted = config["ckan.plugins"]
    wanted = wanted.split() if isinstance(wanted, str) else list(wanted)
    # a CLI test loads the ini's plugins behind our back: compare what is really loaded
    if _LOADED["key"] != key or list(core._PLUGINS) != wanted:
        ckan.plugins.unload_all()
        ckan.plugins.load_all()
        _LOADED["key"] = key


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus govshare's migrations and tables."""
    reset_database(reset_db, migrate_db_for)


def reset_database(reset_db, migrate_db_for) -> None:
    """What :func:`clean_db` does (also for module-scoped fixtures, which cannot use it)."""
    import ckan.model as model
    import ckan.plugins as p
    import sqlalchemy as sa

    def truncate_govshare():
        tables = [
            r[0] for r in model.Session.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename LIKE 'govshare\\_%' AND tablename <> 'govshare_alembic_version'"
            ))
        ]
        if tables:
            model.Session.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)))
        model.Session.commit()
        if "govshare_search_index" in tables and model.Session.execute(
                sa.text("SELECT to_regclass('govshare_search_generation')")).scalar():
            # TRUNCATE bypasses the backend: start a new generation of cached search results
            from ckanext.govshare.search import cache

            cache.advance(model.Session.get_bind())

    # first: CKAN's reset DELETEs from every mapped table, and govshare_audit refuses DELETE
    # (append-only trigger); TRUNCATE is the one way to empty it
    truncate_govshare()
    reset_db()
    # CKAN's first reset of a session drops every table; later ones only delete rows, and
    # running alembic for nothing costs more than the test itself
    inspector = sa.inspect(model.Session.connection())
    applied = {
        "activity": inspector.has_table("activity")
        and "permission_labels" in {c["name"] for c in inspector.get_columns("activity")},
        "govshare": inspector.has_table("govshare_alembic_version")
        and inspector.has_table("govshare_search_index"),
    }
    model.Session.commit()
    for plugin in ("activity", "govshare"):
        if p.plugin_loaded(plugin) and not applied[plugin]:
            migrate_db_for(plugin)
    truncate_govshare()


@pytest.fixture(autouse=True)
def _loggers_enabled():
    """Keep every logger enabled: CLI tests re-read the ini's logging config, which disables
    loggers created before it, so a later test's ``caplog`` would see nothing."""
    import logging

    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False
