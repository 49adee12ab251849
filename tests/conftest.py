"""Shared fixtures: CKAN's pytest plugin plus the govshare database and plugin set-up.

Every test outside ``tests/unit`` runs with the plugins of ``test.ini`` loaded
(``with_plugins``), and ``clean_db`` also applies govshare's alembic migrations and empties
govshare's own tables (CKAN's reset only knows core tables). A test that writes to a world
gets it from ``fresh``: built once per module, restored from a snapshot for each test
(``tests/worlds.py``). With ``-n`` each pytest-xdist worker has its own database, Redis
database and storage directory (``tests/workers.py``).
"""
from __future__ import annotations

import pathlib

import pytest

from . import workers

UNIT = pathlib.Path(__file__).parent / "unit"


def pytest_configure(config):
    _quick_password_hashes()
    workers.configure(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    workers.configure_node(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return workers.make_scheduler(config, log)


def _quick_password_hashes() -> None:
    """Hash new passwords with 1 000 pbkdf2 rounds instead of passlib's 25 000 (~20 ms a user,
    and the suite creates thousands). Verifying reads the rounds from the stored hash, so a
    login still checks the real password; the lowered default also keeps CKAN from re-hashing
    such a hash on login as too weak."""
    import ckan.model.user
    from passlib.hash import pbkdf2_sha512

    ckan.model.user.pbkdf2_sha512 = pbkdf2_sha512.using(rounds=1000)


def pytest_itemcollected(item):
    workers.group(item)


@pytest.hookimpl(trylast=True)  # after the ckan_config marks of tests/search/conftest.py
def pytest_collection_modifyitems(config, items):
    for item in items:
        if UNIT not in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.usefixtures("with_plugins"))
    _by_configuration(items)
    workers.order(config, items)


def _marks(item) -> tuple:
    """The ``ckan_config`` marks of ``item``, as the key of the plugins loaded for it."""
    return tuple(sorted(
        (str(m.args[0]), repr(m.args[1])) for m in item.iter_markers("ckan_config")))


def _by_configuration(items) -> None:
    """Within each module, the tests with the same ``ckan_config`` marks one after the other
    (otherwise in their order): each change reloads the plugins (:func:`with_plugins`) and
    builds the module's world again (:func:`fresh`)."""
    modules: dict[str, int] = {}
    configs: dict[tuple, int] = {}
    keys = {}
    for index, item in enumerate(items):
        module = modules.setdefault(str(item.fspath), len(modules))
        keys[item] = (module, configs.setdefault((module, _marks(item)), len(configs)), index)
    items.sort(key=keys.__getitem__)


_LOADED: dict[str, object] = {"key": None, "generation": 0}


@pytest.fixture
def with_plugins(ckan_config, request):
    """CKAN's ``with_plugins``, but plugins stay loaded between tests with the same config.

    Loading and unloading CKAN's plugins around every test (templates, assets, the scheming
    schemas) costs more than most tests; they are reloaded only when a test's
    ``ckan_config`` marks differ from the previous test's.
    """
    load_plugins(_marks(request.node))
    yield


#: options read only when the code runs (each call reads ``tk.config``), never while the plugins
#: load: a test's ``ckan_config`` mark of one of them needs no reload of the plugins
RUNTIME_OPTIONS = ("ckanext.govshare.deadline.", "ckanext.govshare.sharing.",
                   "ckanext.govshare.coordinating_department",
                   "ckanext.govshare.unconditional_requires_request", "ckanext.govshare.notify.",
                   "ckanext.govshare.remind.", "ckanext.govshare.assessment.",
                   "ckanext.govshare.duplicates.")


def _load_time(key: tuple) -> tuple:
    """The marks of ``key`` that the plugins read while they load."""
    return tuple(m for m in key if not str(m[0]).startswith(RUNTIME_OPTIONS))


def load_plugins(key: tuple = ()) -> None:
    """Load the configured plugins unless loaded for the same ``ckan_config`` marks ``key``
    (also for module-scoped fixtures, which cannot use ``with_plugins``)."""
    import ckan.plugins
    from ckan.common import config
    from ckan.plugins import core

    wanted = config["ckan.plugins"]
    wanted = wanted.split() if isinstance(wanted, str) else list(wanted)
    # a CLI test loads the ini's plugins behind our back: compare what is really loaded
    stale = list(core._PLUGINS) != wanted
    if stale or _LOADED["key"] is None or _load_time(_LOADED["key"]) != _load_time(key):
        ckan.plugins.unload_all()
        ckan.plugins.load_all()
        _LOADED["key"] = key
        _LOADED["generation"] = int(_LOADED["generation"]) + 1
    elif _LOADED["key"] != key:
        # only options the code reads when it runs changed: the loaded plugins stay, the
        # marks' values are typed as a load would (the worlds follow the marks: ``fresh``)
        from ckan.common import config_declaration

        config_declaration.normalize(config)
        _LOADED["key"] = key
    elif key:
        # CKAN restored its config snapshot before the test and set the marks' values as
        # written (strings); a reload would have converted them (a list option, a number)
        from ckan.common import config_declaration

        config_declaration.normalize(config)


#: the Flask app of the current plugins and ``ckan_config`` marks (see :func:`app`)
_APP: dict[str, object] = {"key": None, "app": None}


@pytest.fixture
def app(with_plugins, request):
    """CKAN's ``app`` fixture, but the Flask app is built once per ``ckan_config`` marks.

    Building it runs every plugin's ``update_config`` (templates, assets, the scheming schemas
    parsed again, CKAN's ``inspect.stack()`` for each served directory): about two seconds,
    more than most view tests. It is kept while the plugins stay loaded for the same marks
    (:func:`load_plugins`); each test gets a new ``CKANTestApp`` around it, with its own client
    (cookies, session user), as CKAN's fixture gives.
    """
    from ckan.lib.app_globals import _CONFIG_CACHE
    from ckan.tests import helpers

    key = (_LOADED["key"], _LOADED["generation"])
    if _APP["key"] != key or _APP["app"] is None:
        # as CKAN's make_app: building the app reads the runtime-editable options
        # (/ckan-admin/config) back from the values an earlier build cached, over the marks'
        _CONFIG_CACHE.clear()
        _APP["app"] = helpers._get_test_app().app
        # building the app loaded the plugins again: they are the marks' plugins
        _APP["key"] = (_LOADED["key"], _LOADED["generation"])
    return helpers.CKANTestApp(_APP["app"])


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus govshare's migrations and tables."""
    reset_database(reset_db, migrate_db_for)


def reset_database(reset_db, migrate_db_for) -> None:
    """What :func:`clean_db` does (also for module-scoped fixtures, which cannot use it).

    Once the schema is complete (CKAN's tables, both plugins' migrations), a reset DELETEs every
    row in one transaction, the append-only guards lifted inside it (:func:`tests.worlds.restore`,
    a few milliseconds); the full reset below runs on a session's first reset and after a test
    changed the schema (the migration tests)."""
    import ckan.model as model
    import ckan.plugins as p
    import sqlalchemy as sa

    from . import worlds
    from .database import truncate_govshare as truncate

    if worlds.ready(model.Session):
        worlds.restore(model.Session)
        return

    def truncate_govshare():
        # the append-only tables refuse TRUNCATE: the helper lifts their guard for this statement
        tables = truncate(model.Session)
        if "govshare_search_index" in tables and model.Session.execute(
                sa.text("SELECT to_regclass('govshare_search_generation')")).scalar():
            # TRUNCATE bypasses the backend: start a new generation of cached search results
            from ckanext.govshare.search import cache

            cache.advance(model.Session.get_bind())

    # first: CKAN's reset DELETEs from every mapped table, and the append-only tables refuse
    # DELETE (row trigger); TRUNCATE with their TRUNCATE guard lifted is the one way to empty them
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
            applied[plugin] = True
    truncate_govshare()
    _pooled_engine()
    if all(applied.values()):
        worlds.adopt(model.Session)


def _pooled_engine() -> None:
    """Give the model back a pooled engine after CKAN's migrations.

    CKAN's alembic ``env.py`` binds the model to the ``NullPool`` engine it migrates with
    (``init_model(connectable)``), so after the session's first full reset every transaction
    of every later test would open a new PostgreSQL connection (hundreds a test). The portal
    never runs with that engine: it is made here as ``ckan.config.environment`` makes it."""
    import ckan.model as model
    from ckan.common import config
    from sqlalchemy import engine_from_config
    from sqlalchemy.pool import NullPool

    if not isinstance(model.meta.engine.pool, NullPool):
        return
    model.Session.remove()
    model.meta.engine.dispose()
    model.init_model(engine_from_config({"sqlalchemy.pool_pre_ping": True, **dict(config)}))


@pytest.fixture
def fresh(clean_db, request):
    """``fresh(build)``: the world ``build()`` makes on the database :func:`clean_db` emptied,
    built by the module's first test that asks (per set of ``ckan_config`` marks) and restored
    from a snapshot of its rows for the next ones (:mod:`tests.worlds`); each test gets its
    own copy of the handles ``build`` returns. For worlds that tests write to.

    ``build`` must depend on nothing but the database and the configuration: no clock patched
    by the test, no mail server or Redis queue the test reads afterwards."""
    import ckan.model as model

    from . import worlds

    def restored(build):
        key = (request.module.__name__, build.__module__, build.__qualname__, _LOADED["key"])
        return worlds.world(model.Session, key, build)
    return restored


@pytest.fixture(autouse=True)
def _loggers_enabled():
    """Keep every logger enabled: CLI tests re-read the ini's logging config, which disables
    loggers created before it, so a later test's ``caplog`` would see nothing."""
    import logging

    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False
