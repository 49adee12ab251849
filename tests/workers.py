"""The suite on several cores (pytest-xdist, ``-n``): what each worker gets, and what runs where.

* **A site of its own per worker.** Before any worker starts, the controller copies the test
  database (``ckan db init`` done, e.g. ``govshare_test``) to ``<name>_gw0``, ``<name>_gw1``, …
  (``CREATE DATABASE … TEMPLATE``). Worker ``gwN`` points CKAN at its copy, at Redis database
  *the ini's + N* and at storage directory *the ini's* ``-gwN``, through CKAN's environment
  variables (``CKAN_SQLALCHEMY_URL``, ``CKAN_REDIS_URL``, ``CKAN_STORAGE_PATH``), which CKAN's
  pytest plugin reads over the ini when the session starts, and which every process a test
  starts inherits (gunicorn, ``ckan run``, the CLI); those that drop ``CKAN_*`` (the RQ worker
  test, the browser portal) write the URLs they need into their own ini.
* **Whole modules to a worker.** :class:`ModuleScheduling` hands out one module, or one
  ``xdist_group``, at a time: a module's world snapshot (``tests/worlds.py``), its module- and
  class-scoped worlds and the state a module gathers across its tests (the visibility sweep)
  stay in one process. The browser tests are one group: one portal (a session fixture with a
  database and port of its own) serves all of them. Units go out heaviest first
  (:func:`order`), so the last ones are small and the workers finish together.

``--dist load`` (what ``-n`` implies) is made ``loadgroup`` and scheduled so; another ``--dist``
given explicitly is left to pytest-xdist.
"""
from __future__ import annotations

import os
import pathlib
from typing import Any

import pytest

UNIT = pathlib.Path(__file__).parent / "unit"
#: key of the workers' input that says units go out by module
BY_MODULE = "govshare_by_module"


def configure(config: Any) -> None:
    """``pytest_configure``: in the controller, copy the database for each worker; in a
    worker, use that copy (and Redis database, storage directory)."""
    if config.getoption("dist", "no") == "load":
        config.option.dist = "loadgroup"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        _own_site(config, worker)
        if by_module(config):
            config.option.loadgroup = True  # xdist names each test's group in its node id
    elif config.getoption("dist", "no") != "no" and config.getoption("tx", None):
        _copy_database(config, len(config.option.tx))


def configure_node(node: Any) -> None:
    """``pytest_configure_node``: tell each worker whether units go out by module."""
    node.workerinput[BY_MODULE] = node.config.getoption("dist") == "loadgroup"


def by_module(config: Any) -> bool:
    return bool(getattr(config, "workerinput", {}).get(BY_MODULE))


def _site(config: Any) -> tuple[str, str, str]:
    """The database URL, Redis URL and storage path of ``--ckan-ini`` (or of CKAN's
    environment variables, which override the ini)."""
    from ckan.cli import CKANConfigLoader

    ini = config.getoption("ckan_ini")
    assert ini, "--ckan-ini is required"
    conf = CKANConfigLoader(os.path.abspath(ini)).get_config()
    return (os.environ.get("CKAN_SQLALCHEMY_URL") or conf["sqlalchemy.url"],
            os.environ.get("CKAN_REDIS_URL") or conf.get("ckan.redis.url",
                                                         "redis://localhost:6379/0"),
            os.environ.get("CKAN_STORAGE_PATH") or conf.get("ckan.storage_path") or "")


def _worker_url(url: str, index: int) -> Any:
    import sqlalchemy as sa

    url = sa.engine.make_url(url)
    return url.set(database=f"{url.database}_gw{index}")


def _copy_database(config: Any, workers: int) -> None:
    """In the controller, before any worker starts and before this process connects to the
    database (a template must have no connection): a fresh copy for each worker."""
    import sqlalchemy as sa

    url = sa.engine.make_url(_site(config)[0])
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for index in range(workers):
                name = _worker_url(str(url), index).database
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
                # a throwaway copy: a commit need not wait for the disk
                conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        engine.dispose()


def _own_site(config: Any, worker: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    db, redis, storage = _site(config)
    index = int(worker.removeprefix("gw"))
    parts = urlsplit(redis)
    number = int(parts.path.strip("/") or 0) + index
    assert number < 16, f"no Redis database {number} for worker {worker}: use fewer workers"
    os.environ["CKAN_SQLALCHEMY_URL"] = _worker_url(db, index).render_as_string(
        hide_password=False)
    os.environ["CKAN_REDIS_URL"] = urlunsplit(parts._replace(path=f"/{number}"))
    if storage:
        os.environ["CKAN_STORAGE_PATH"] = f"{storage}-{worker}"


def group(item: Any) -> None:
    """``pytest_itemcollected``: the browser tests are one ``xdist_group`` (one portal)."""
    if item.get_closest_marker("browser"):
        item.add_marker(pytest.mark.xdist_group("browser"))


def _unit(item: Any) -> str:
    """The work unit of :class:`ModuleScheduling`: the ``xdist_group`` or the module."""
    mark = item.get_closest_marker("xdist_group")
    if mark:
        return "@" + (mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    return str(item.fspath)


def order(config: Any, items: list[Any]) -> None:
    """``pytest_collection_modifyitems`` of a worker: the units in the order they are handed
    out, the groups first (a group shares something expensive), then the modules by weight,
    the heaviest first. A test that uses the database weighs 1, one that also builds a web app
    3, a unit test next to nothing. Within a unit the order stays."""
    if not by_module(config):
        return
    weight: dict[str, float] = {}
    for item in items:
        if UNIT in pathlib.Path(str(item.fspath)).parents:
            w = 0.02
        else:
            w = 3.0 if "app" in getattr(item, "fixturenames", ()) else 1.0
        weight[_unit(item)] = weight.get(_unit(item), 0.0) + w
    rank = {unit: (not unit.startswith("@"), -w) for unit, w in weight.items()}
    items.sort(key=lambda item: rank[_unit(item)])


def make_scheduler(config: Any, log: Any) -> Any:
    """``pytest_xdist_make_scheduler``: :class:`ModuleScheduling` for ``loadgroup``."""
    if config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        """One module, or one ``xdist_group``, at a time to a worker, in collection order
        (which :func:`order` made)."""

        def __init__(self, config: Any, log: Any = None) -> None:
            super().__init__(config, log)
            config.option.loadscopereorder = False

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):
                return "@" + nodeid.rsplit("@", 1)[-1]
            return nodeid.split("::", 1)[0]

    return ModuleScheduling(config, log)
