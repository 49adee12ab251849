#!/usr/bin/env bash
# Start the portal with the demo catalogue on http://127.0.0.1:5000 (idempotent).
# Installs what is missing, starts PostgreSQL/Redis, creates the database, runs the
# migrations, loads the demo catalogue once, prints the demo accounts, then serves.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all
ensure_database govshare_portal
cd "$ROOT"
INI="$ROOT/var/portal.ini"
CKAN="$VENV/bin/ckan"
mkdir -p "$ROOT/var/storage"
if [ ! -f "$INI" ]; then
  log "writing $INI"
  quietly "$CKAN" generate config "$INI"
  quietly "$CKAN" config-tool "$INI" \
    "sqlalchemy.url = postgresql://govshare@127.0.0.1/govshare_portal" \
    "ckan.site_url = http://127.0.0.1:5000" \
    "ckan.site_title = 政务数据共享目录" \
    "ckan.redis.url = redis://127.0.0.1:6379/0" \
    "ckan.storage_path = $ROOT/var/storage" \
    "ckan.plugins = govshare activity scheming_datasets scheming_organizations govshare_dcat dcat" \
    "ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govshare" \
    "ckanext.govshare.harvest_user = provincial-platform" \
    "scheming.dataset_schemas = ckanext.govshare.schemas:dataset.yaml" \
    "scheming.organization_schemas = ckanext.govshare.schemas:organization.yaml" \
    "scheming.presets = ckanext.scheming:presets.json" \
    "ckan.locale_default = zh_Hans_CN" \
    "ckan.locales_offered = zh_Hans_CN en" \
    "ckan.display_timezone = Asia/Shanghai" \
    "ckan.site_logo = " \
    "ckan.gravatar_default = disabled" \
    "ckan.auth.create_user_via_web = false" \
    "ckanext.govshare.search_backend = postgres" \
    "ckanext.govshare.notify.enabled = false" \
    "ckanext.govshare.site.sponsor = 山西省政务信息管理局（演示）" \
    "ckanext.govshare.site.support = ckanext-govshare" \
    "ckanext.govshare.site.contact = data@example.gov.cn" \
    "ckanext.govshare.site.icp = 晋ICP备00000000号（演示）" \
    "ckanext.govshare.home.notices = 本站为演示站点：账户、部门和目录条目均为示例数据。" \
    "ckan.devserver.host = 127.0.0.1" \
    "ckan.devserver.port = 5000"
fi
quietly "$CKAN" config-tool "$INI" -s logger_ckanext "level = INFO"
log "migrating the database (CKAN's and govshare's)"
quietly "$CKAN" -c "$INI" db init
log "loading the demo catalogue (once; later runs keep it)"
# the load's own lines (what it added, the demo accounts) here; CKAN's log lines to the set-up
# log, shown when the load fails
printf '\n$ %s\n' "$CKAN -c $INI govshare demo load" >>"$SETUP_LOG"
if ! "$CKAN" -c "$INI" govshare demo load 2>>"$SETUP_LOG"; then
  log "failed: the demo load   (the last lines of $SETUP_LOG follow)"
  tail -n 40 "$SETUP_LOG" >&2
  exit 1
fi
log "portal: http://127.0.0.1:5000   (Ctrl-C stops it)"
exec "$CKAN" -c "$INI" run --host 127.0.0.1 --port 5000 --disable-reloader --threaded
