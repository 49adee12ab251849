"""What every bench shares: the shell, the site's ini and waiting for a served site."""
from __future__ import annotations

import pathlib
import subprocess
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PLUGINS = "govshare activity scheming_datasets scheming_organizations"
DATASET_SCHEMAS = "ckanext.govshare.schemas:dataset.yaml"
#: govshare's schema and a plain CKAN dataset type, for the runs against plain CKAN (a file: URI:
#: scheming takes "module:path" or a URL, not a bare path)
WITH_PLAIN = f"{DATASET_SCHEMAS} {(ROOT / 'bench' / 'plain_dataset.yaml').as_uri()}"


def sh(*args: str, **kw) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def write_ini(path: pathlib.Path, db: str, port: int, redis_db: int, *options: str,
              plugins: str = PLUGINS, dataset_schemas: str = DATASET_SCHEMAS) -> None:
    """``ckan generate config`` at ``path`` for database ``db``, served on ``port``, with
    ``options`` (``"key = value"``) over the site's own."""
    sh(str(VENV / "ckan"), "generate", "config", str(path))
    sh(str(VENV / "ckan"), "config-tool", str(path),
       f"sqlalchemy.url = postgresql://govshare@127.0.0.1/{db}",
       f"ckan.site_url = http://127.0.0.1:{port}",
       f"ckan.redis.url = redis://127.0.0.1:6379/{redis_db}",
       f"ckan.storage_path = {path.parent / 'storage'}",
       f"ckan.plugins = {plugins}",
       f"scheming.dataset_schemas = {dataset_schemas}",
       "scheming.organization_schemas = ckanext.govshare.schemas:organization.yaml",
       "scheming.presets = ckanext.scheming:presets.json",
       *options)


def quiet_logs(path: pathlib.Path, *sections: str) -> None:
    """No DEBUG logging in the ini's logger ``sections``, as in production."""
    for section in sections:
        sh(str(VENV / "ckan"), "config-tool", str(path), "-s", section, "level = WARNING")


def wait_ready(url: str, tries: int = 240) -> None:
    """Wait until the site at ``url`` answers ``status_show`` (every half second)."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(url + "/api/3/action/status_show", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")
