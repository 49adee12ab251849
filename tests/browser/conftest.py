"""A real portal for the real-browser tests: its own database, ini and CKAN server process.

Once per session: drop and create ``govshare_browser``, write an ini the way
``scripts/serve.sh`` does (Chinese default locale, the govshare plugins, a Redis DB of its
own), ``ckan db init``, load the demo catalogue, start ``ckan run`` on a free port and wait for
``status_show``. Playwright drives Debian's ``/usr/bin/chromium`` (never a downloaded browser).

The server is a separate process with its own environment (``CKAN_*`` variables of the test
process are dropped), so it neither sees nor touches the database that CKAN's pytest plugin
uses in this process.
"""
from __future__ import annotations

import datetime
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
#: the portal's database and Redis database (a developer running a second copy of these tests
#: beside the suite names others: GOVSHARE_BROWSER_DB, GOVSHARE_BROWSER_REDIS_DB)
DB = os.environ.get("GOVSHARE_BROWSER_DB", "govshare_browser")
REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('GOVSHARE_BROWSER_REDIS_DB', '5')}"
BIN = pathlib.Path(sys.executable).parent
PASSWORD = "Govshare-Demo-2026"  # ckanext.govshare.demo.DEMO_PASSWORD
DB_URL = f"postgresql://govshare@127.0.0.1/{DB}"


class Portal(str):
    """The portal's URL, with its ini and what ``ckan govshare demo load`` printed."""

    ini: pathlib.Path
    loaded: str
    loaded_at: str  # when the load ended, as CKAN writes times (UTC, ISO 8601, naive)


def _in_ci() -> bool:
    """Whether this is a CI run (CI runs with ``CI=true``; ``CI=false`` or empty is not one)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _require_chromium() -> None:
    """Fail in CI when Debian's chromium is missing (the browser tests must run there); skip,
    saying why, on a developer's machine without it."""
    if os.path.exists(CHROMIUM):
        return
    reason = (f"browser tests need {CHROMIUM}, which is absent "
              "(scripts/common.sh installs it: apt-get install chromium fonts-noto-cjk)")
    if _in_ci():
        pytest.fail(f"{reason}; CI={os.environ['CI']!r} so this is a failure, not a skip",
                    pytrace=False)
    pytest.skip(f"{reason}; skipped because CI is not set")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    """The environment without this process's CKAN overrides (e.g. CKAN_SQLALCHEMY_URL)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CKAN")}


def _run(*args: str) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, env=_env())
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def _write_ini(ini: pathlib.Path, port: int) -> None:
    ckan = str(BIN / "ckan")
    _run(ckan, "generate", "config", str(ini))
    _run(ckan, "config-tool", str(ini),
         f"sqlalchemy.url = {DB_URL}",
         f"ckan.site_url = http://127.0.0.1:{port}",
         "ckan.site_title = 政务数据共享目录",
         f"ckan.redis.url = {REDIS_URL}",
         f"ckan.storage_path = {ini.parent / 'storage'}",
         # the harvest endpoint, as scripts/serve.sh has it (test_dcat_harvest.py harvests it);
         # no harvest_user: its harvests would be recorded on the pages other tests read
         "ckan.plugins = govshare activity scheming_datasets scheming_organizations"
         " govshare_dcat dcat",
         "ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govshare",
         "scheming.dataset_schemas = ckanext.govshare.schemas:dataset.yaml",
         "scheming.organization_schemas = ckanext.govshare.schemas:organization.yaml",
         "scheming.presets = ckanext.scheming:presets.json",
         "ckan.locale_default = zh_Hans_CN",
         "ckan.locales_offered = zh_Hans_CN en",
         "ckan.display_timezone = Asia/Shanghai",
         "ckan.auth.create_user_via_web = false",
         "ckanext.govshare.search_backend = postgres")


def _wait_for(url: str, proc: subprocess.Popen, log: pathlib.Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the CKAN server exited ({proc.returncode}):\n"
                               f"{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/api/3/action/status_show", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the CKAN server did not answer in {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """URL of a running portal with the demo catalogue (users ``samr-compiler`` etc.), loaded
    as the README's first command loads it (``tests/browser/test_demo.py`` checks the load)."""
    _require_chromium()
    work = tmp_path_factory.mktemp("portal")
    ini = work / "portal.ini"
    port = _free_port()
    ckan = [str(BIN / "ckan"), "-c", str(ini)]
    log = work / "server.log"
    url = f"http://127.0.0.1:{port}"
    # the slow steps overlap: a CKAN command spends seconds importing before it does anything
    with ThreadPoolExecutor(1) as pool:
        ini_written = pool.submit(_write_ini, ini, port)
        # --force: a server left over from an interrupted session may still be connected
        _run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB)
        _run("createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "govshare",
             "-E", "UTF8", "-T", "template0", DB)
        _run("redis-cli", "-h", "127.0.0.1", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb")
        ini_written.result()
    _run(*ckan, "db", "init")
    with open(log, "w") as out:
        server = subprocess.Popen([*ckan, "run", "-H", "127.0.0.1", "-p", str(port), "-r", "-t"],
                                  stdout=out, stderr=subprocess.STDOUT, env=_env())
    try:
        portal_ = Portal(url)
        portal_.ini, portal_.loaded = ini, _run(*ckan, "govshare", "demo", "load")
        portal_.loaded_at = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None).isoformat()
        _wait_for(url, server, log)
        yield portal_
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(work / "storage", ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(portal: str) -> str:
    """pytest-playwright's ``page.goto("/dataset")`` resolves against the portal."""
    return portal


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium; Playwright never downloads a browser here."""
    _require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A browser in China: Chinese UI language, Beijing time."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 900}}


#: where the README's screenshots live; a run writes there only with GOVSHARE_SCREENSHOTS=1
README_SHOTS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def readme_shot(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Page, str], pathlib.Path]:
    """Take one of the README's screenshots (``name``.png, the whole page): into
    ``docs/screenshots/`` when ``GOVSHARE_SCREENSHOTS=1`` (refreshing them), else into pytest's
    temporary directory, so every run takes them and none changes the work tree."""
    if os.environ.get("GOVSHARE_SCREENSHOTS") == "1":
        folder = README_SHOTS
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("screenshots")

    def shot(page: Page, name: str) -> pathlib.Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0, path
        return path
    return shot


@pytest.fixture
def login(page: Page) -> Callable[..., Page]:
    """Log ``user`` in through the portal's login form; returns the page."""
    def _login(user: str, password: str = PASSWORD) -> Page:
        page.goto("/user/login")
        page.fill("#field-login", user)
        page.fill("#field-password", password)
        page.locator("form:has(#field-login) button[type=submit]").click()
        page.wait_for_load_state()
        assert "/user/login" not in page.url, f"login of {user} failed: {page.url}"
        return page
    return _login
