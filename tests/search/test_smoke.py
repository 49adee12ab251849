"""Smoke test: a dataset round-trips through the PostgreSQL backend (create, search, facets, delete)."""
import ckan.lib.search as search
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("clean_db")
def test_round_trip():
    """Create → found by Chinese text, code, facet, sort, counts, show cache → delete → gone."""
    org = factories.Organization(name="samr", title="省市场监督管理局")
    d = factories.Dataset(owner_org=org["id"], title="企业营业执照信息",
                          notes="统一社会信用代码 302001001/000123", tags=[{"name": "economy"}])
    factories.Dataset(owner_org=org["id"], title="Other thing", notes="市场监管 企业 信息")
    r = helpers.call_action("package_search", q="营业执照")
    assert [x["id"] for x in r["results"]] == [d["id"]]
    assert helpers.call_action("package_search", q="302001001/000123")["count"] == 1
    r = helpers.call_action("package_search", **{"facet.field": '["tags","organization"]'})
    assert r["facets"] == {"tags": {"economy": 1}, "organization": {"samr": 2}}
    r = helpers.call_action("package_search", fq='+organization:"samr"', sort="title_string asc")
    assert [x["title"] for x in r["results"]] == ["Other thing", "企业营业执照信息"]
    orgs = helpers.call_action("organization_list", all_fields=True)
    assert orgs[0]["package_count"] == 2
    ac = helpers.call_action("package_autocomplete", q="企业")
    assert [a["name"] for a in ac] == [d["name"]]
    assert search.show(d["name"])["id"] == d["id"]
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_search", q="a~2")
    assert "q" in e.value.error_dict
    r = helpers.call_action("package_search", fq="metadata_modified:[2026-01-01T00:00:00Z TO NOW]")
    assert r["count"] == 2
    sysadmin = factories.Sysadmin()
    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=d["id"])
    assert helpers.call_action("package_search")["count"] == 1
