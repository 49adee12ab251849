"""package_search semantics through CKAN's own actions, pages and CLI, answered by PostgreSQL.

``TestCatalogue`` shares one read-only catalogue (built once for the class); the functions
after it change data and use ``clean_db``.
"""
from __future__ import annotations

import datetime as dt
import json

import ckan.cli.cli
import ckan.lib.search as search
import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.tests import factories, helpers

from ckanext.govshare.search import connection

from .. import database

PUBLIC = {"biz-license", "biz-register", "market-enterprise", "market-inspect",
          "social-insurance", "road-traffic"}


def _search(context=None, **params):
    return helpers.call_action("package_search", context, **params)


def names(context=None, **params) -> set[str]:
    """Names found by package_search (as sysadmin unless a context says otherwise)."""
    params.setdefault("rows", 100)
    return {d["name"] for d in _search(context, **params)["results"]}


def ordered(context=None, **params) -> list[str]:
    params.setdefault("rows", 100)
    return [d["name"] for d in _search(context, **params)["results"]]


def anonymous() -> dict:
    return {"user": "", "ignore_auth": False}


def index_rows() -> int:
    return model.Session.execute(sa.text("SELECT count(*) FROM govshare_search_index")).scalar()


def backdate(name: str, when: str) -> None:
    """Set a dataset's created/modified dates and reindex it (factories always use now)."""
    model.Session.execute(sa.text(
        "UPDATE package SET metadata_created = :w, metadata_modified = :w WHERE name = :n"
    ), {"w": when, "n": name})
    # package_show reports the latest of the dataset's and its resources' modification times
    model.Session.execute(sa.text(
        "UPDATE resource SET created = :w, metadata_modified = :w "
        "WHERE package_id = (SELECT id FROM package WHERE name = :n)"
    ), {"w": when, "n": name})
    model.Session.commit()
    model.Session.expire_all()  # CKAN's session does not expire objects on commit
    search.rebuild(model.Package.get(name).id)
    model.Session.commit()


def _truncate_govshare() -> None:
    # the append-only tables refuse TRUNCATE: the helper lifts their guard for this statement
    database.truncate_govshare(model.Session)


def fresh_database(reset_db, migrate_db_for) -> None:
    """What ``clean_db`` (tests/conftest.py) does, for a class-scoped catalogue."""
    _truncate_govshare()
    reset_db()
    for plugin in ("activity", "govshare"):
        if p.plugin_loaded(plugin):
            migrate_db_for(plugin)
    _truncate_govshare()


@pytest.fixture(scope="class")
def catalogue(reset_db, migrate_db_for):
    """Three departments, two groups, public/private/draft datasets and a foreign-site row."""
    with pytest.MonkeyPatch.context() as mp:
        # the plugins tests/search/conftest.py gives every search test (CKAN's core schema)
        mp.setitem(tk.config, "ckan.plugins", "govshare activity")
        p.load_all()
        fresh_database(reset_db, migrate_db_for)
        yield _build_catalogue()
    p.unload_all()


def _build_catalogue() -> dict[str, str]:
    orgs = {
        "samr": factories.Organization(name="samr", title="省市场监督管理局"),
        "hrss": factories.Organization(name="hrss", title="省人力资源和社会保障厅"),
        "police": factories.Organization(name="police", title="省公安厅"),
    }
    factories.Group(name="economy", title="经济建设")
    factories.Group(name="livelihood", title="民生服务")

    def make(name, org, title, notes="", tags=(), **kw):
        return factories.Dataset(name=name, owner_org=orgs[org]["id"] if org else None,
                                 title=title, notes=notes, tags=[{"name": t} for t in tags], **kw)

    make("biz-license", "samr", "企业营业执照信息",
         "统一社会信用代码 302001001/000123 的营业执照登记明细", ["企业", "营业执照"],
         groups=[{"name": "economy"}], license_id="cc-by",
         resources=[{"name": "执照明细表", "format": "CSV", "url": "http://x/1.csv"},
                    {"name": "执照汇总", "format": "CSV", "url": "http://x/2.csv"}],
         extras=[{"key": "theme", "value": "市场准入"}, {"key": "record_count", "value": "250"}])
    make("biz-register", "samr", "企业登记信息", "由市场监管部门按月汇总的企业登记数据",
         ["企业", "登记"], groups=[{"name": "economy"}],
         resources=[{"name": "登记汇总", "format": "XLSX", "url": "http://x/3.xlsx"}],
         extras=[{"key": "theme", "value": "市场准入"}, {"key": "record_count", "value": "1200"}])
    make("market-enterprise", "samr", "市场监管企业名录", "名录", ["市场监管"],
         resources=[{"name": "名录", "format": "CSV", "url": "http://x/4.csv"}],
         extras=[{"key": "record_count", "value": "80"}])
    make("market-inspect", "samr", "市场监管抽查结果", "双随机一公开", ["抽查"])
    make("social-insurance", "hrss", "社会保险参保信息", "参保人员缴费记录", ["社保"],
         groups=[{"name": "livelihood"}],
         resources=[{"name": "参保明细", "format": "JSON", "url": "http://x/5.json"}],
         extras=[{"key": "update_cycle", "value": "每月"}])
    make("household", "police", "户籍人口统计", "按区县统计的户籍人口", ["人口"], private=True)
    make("road-traffic", "police", "Road traffic counts", "Daily vehicle counts 302001001/000124",
         ["transport", "traffic"], license_id="cc-zero",
         resources=[{"name": "卡口流量原始记录", "format": "API", "url": "http://x/api"}],
         extras=[{"key": "record_count", "value": "12"}])
    make("draft-plan", "samr", "企业年报草稿", "", ["企业"], state="draft")
    backdate("biz-register", "2025-03-01T00:00:00")
    backdate("road-traffic", "2024-05-01T00:00:00")

    # a row written by another CKAN site sharing the database
    doc = search.show("biz-license")
    doc.update(index_id="foreign-row", site_id="other-site", name="foreign-biz-license")
    connection.PgConnection().add([doc])
    model.Session.commit()
    return {name: org["id"] for name, org in orgs.items()}


@pytest.mark.usefixtures("catalogue")
class TestCatalogue:
    # -- q: free text --------------------------------------------------------------------
    def test_empty_q_finds_everything_public_and_active(self):
        """Empty q (or ``*:*``) returns every public active dataset of this site."""
        assert names(q="") == PUBLIC
        assert names(q="*:*") == PUBLIC
        assert _search(q="")["count"] == 6

    @pytest.mark.parametrize("q, expected", [
        ("营业执照", {"biz-license"}),                     # title, notes and tag
        ("双随机", {"market-inspect"}),                    # notes
        ("社保", {"social-insurance"}),                    # tag only
        ("livelihood", {"social-insurance"}),              # group name only
        ("hrss", {"social-insurance"}),                    # organization name only
        ("卡口流量", {"road-traffic"}),                    # resource name only
        ("市场准入", {"biz-license", "biz-register"}),     # dataset extra (custom field)
        ("每月", {"social-insurance"}),                    # another extra
        ("license", {"biz-license"}),                      # a word of the name only
        ("TRAFFIC", {"road-traffic"}),                     # case-insensitive Latin
        ("302001001/000123", {"biz-license"}),             # code: exact
        ("302001001", {"biz-license", "road-traffic"}),    # a piece of a code
        ("营业*", {"biz-license"}),                        # prefix
        ("road*", {"road-traffic"}),
        ('"营业执照信息"', {"biz-license"}),               # phrase in order
        ('"信息 营业执照"', set()),                        # phrase out of order
        ("text:营业执照", {"biz-license"}),                # the explicit default field
        ("no-such-word", set()),
    ])
    def test_free_text_fields(self, q, expected):
        """Free text covers name, title, notes, tags, groups, organization, resources and extras."""
        assert names(q=q) == expected

    def test_terms_are_anded_and_ranked(self):
        """``市场监管 企业`` needs both terms; the entry with both in its title ranks first."""
        assert ordered(q="市场监管 企业") == ["market-enterprise", "biz-register"]
        assert "market-inspect" in names(q="市场监管")
        assert "biz-license" in names(q="企业")

    def test_title_outranks_notes(self):
        """A term in the title scores higher than the same term only in the notes."""
        r = _search(q="登记", fl=["name", "score"], sort="score desc")
        # biz-register has 登记 in title and tags; biz-license only in its notes
        assert [d["name"] for d in r["results"]] == ["biz-register", "biz-license"]

    # -- q: Lucene forms -----------------------------------------------------------------
    @pytest.mark.parametrize("q, expected", [
        ("tags:企业", {"biz-license", "biz-register"}),
        ('tags:"营业执照"', {"biz-license"}),
        ("tags:营业", set()),                               # string field: whole value
        ("title:营业", {"biz-license"}),                    # text field: substring
        ('title:"营业执照"', {"biz-license"}),
        ("notes:daily", {"road-traffic"}),                  # text field: case-insensitive
        ("tags:(社保 OR 抽查)", {"social-insurance", "market-inspect"}),
        ("+tags:企业 -tags:登记", {"biz-license"}),
        ("tags:企业 NOT tags:登记", {"biz-license"}),
        ("tags:企业 !tags:登记", {"biz-license"}),
        ("tags:企业 AND tags:登记", {"biz-register"}),
        ("tags:企业 && tags:登记", {"biz-register"}),
        ("tags:社保 OR tags:抽查", {"social-insurance", "market-inspect"}),
        ("tags:社保 || tags:抽查", {"social-insurance", "market-inspect"}),
        ("(tags:社保 OR tags:抽查) AND organization:samr", {"market-inspect"}),
        ("organization:samr -(tags:企业 OR tags:抽查)", {"market-enterprise"}),
        ("name:biz*", {"biz-license", "biz-register"}),
        ("name:*traffic", {"road-traffic"}),
        ("name:biz-?egister", {"biz-register"}),
        ("extras_update_cycle:*", {"social-insurance"}),
        ("extras_theme:市场", {"biz-license", "biz-register"}),   # extras_* are text fields
        ("theme:市场准入", {"biz-license", "biz-register"}),      # the plain key: exact
        ("theme:市场", set()),
        ("record_count:[100 TO 300]", {"biz-license"}),           # numeric, not lexicographic
        ("record_count:[* TO 100]", {"market-enterprise", "road-traffic"}),
        ("record_count:{80 TO 1200}", {"biz-license"}),
        ("record_count:[80 TO 1200]", {"biz-license", "biz-register", "market-enterprise"}),
        ("name:[biz-a TO biz-z]", {"biz-license", "biz-register"}),
        ("license_id:cc-zero", {"road-traffic"}),
        ("res_format:API", {"road-traffic"}),
        ("res_format:api", set()),                                # string fields are exact
        ("groups:economy", {"biz-license", "biz-register"}),
        ("organization:samr", {"biz-license", "biz-register", "market-enterprise",
                               "market-inspect"}),
        ("num_resources:[2 TO *]", {"biz-license"}),
        ("title:营业执照^2 OR tags:社保", {"biz-license", "social-insurance"}),
        ("营业执照 tags:企业", {"biz-license"}),                   # free text and a field
    ])
    def test_lucene_forms(self, q, expected):
        """Each form of the supported Lucene subset selects exactly the expected datasets."""
        assert names(q=q) == expected

    @pytest.mark.parametrize("query, expected", [
        ("metadata_modified:[2026-01-01T00:00:00Z TO NOW]", PUBLIC - {"biz-register", "road-traffic"}),
        ("metadata_created:[* TO 2025-12-31T23:59:59Z]", {"biz-register", "road-traffic"}),
        ("metadata_modified:[NOW-2YEARS TO *]", PUBLIC - {"road-traffic"}),
        ("metadata_modified:[* TO NOW-1YEAR]", {"biz-register", "road-traffic"}),
        ('metadata_modified:"2025-03-01T00:00:00Z"', {"biz-register"}),
        ("metadata_created:[2024-05-01 TO 2024-05-01T23:59:59Z]", {"road-traffic"}),
        ("metadata_created:{2024-05-01T00:00:00Z TO 2025-03-01T00:00:00Z]", {"biz-register"}),
    ])
    def test_date_ranges(self, query, expected):
        """Date ranges accept ISO dates, ``*`` and ``NOW`` date math, in q and in fq (ckanext-dcat form)."""
        assert names(q=query) == expected
        assert names(fq=query) == expected

    # -- fq and fq_list as CKAN builds them ----------------------------------------------
    def test_fq_forms(self, catalogue):
        """fq strings in the shapes CKAN, its pages and facet links produce."""
        samr = catalogue["samr"]
        assert names(fq=f'+owner_org:"{samr}"') == {
            "biz-license", "biz-register", "market-enterprise", "market-inspect"}
        assert names(fq='+groups:"economy"') == {"biz-license", "biz-register"}
        assert names(fq="+dataset_type:dataset") == PUBLIC
        assert names(fq="-dataset_type:harvest") == PUBLIC
        assert names(fq="+dataset_type:harvest") == set()
        assert names(fq='capacity:"public"') == PUBLIC
        assert names(fq='tags: "企业"') == {"biz-license", "biz-register"}
        assert names(fq='organization:"samr" tags:"企业"') == {"biz-license", "biz-register"}
        assert names(fq='res_format:"CSV"', q="名录") == {"market-enterprise"}

    def test_fq_means_what_q_means(self):
        """A top-level OR in fq binds inside the caller's filter, not to the filters CKAN glues
        onto it (``+capacity:public`` before, ``+state:(active)`` after): a private entry or a
        draft does not come back through ``fq=a OR b`` without include_private/include_drafts."""
        query = "name:draft-plan OR name:household OR name:road-traffic"
        assert names(q=query) == names(fq=query) == {"road-traffic"}
        assert names(fq=query, include_private=True, include_drafts=True) == {
            "draft-plan", "household", "road-traffic"}
        with pytest.raises(tk.ValidationError) as e:
            _search(fq="a OR")  # its own dangling OR, not completed by CKAN's state filter
        assert list(e.value.error_dict) == ["fq"]

    def test_fq_list(self, catalogue):
        """Every fq_list entry must hold, together with fq."""
        assert names(fq_list=['+organization:"samr"', '+tags:"企业"']) == {
            "biz-license", "biz-register"}
        assert names(fq='+groups:"economy"', fq_list=['-tags:"登记"']) == {"biz-license"}

    def test_state_filter_and_drafts(self):
        """Drafts appear only with ``+state:(active OR draft)`` or include_drafts, and only to those allowed."""
        assert "draft-plan" not in names()
        assert "draft-plan" in names(fq="+state:(active OR draft)")
        assert names(fq="+state:draft") == {"draft-plan"}
        assert "draft-plan" in names(include_drafts=True)
        assert "draft-plan" not in names(anonymous(), include_drafts=True)

    def test_include_private(self, catalogue):
        """Private datasets need include_private and a matching permission (sysadmin, member)."""
        assert "household" not in names()
        assert "household" in names(include_private=True)
        assert names(anonymous(), include_private=True) == PUBLIC
        outsider = factories.User()
        assert "household" not in names({"user": outsider["name"], "ignore_auth": False},
                                        include_private=True)
        officer = factories.User()
        helpers.call_action("organization_member_create", id="police",
                            username=officer["name"], role="member")
        ctx = {"user": officer["name"], "ignore_auth": False}
        assert names(ctx, include_private=True) == PUBLIC | {"household"}
        assert names(ctx) == PUBLIC
        admin = {"user": factories.Sysadmin()["name"], "ignore_auth": False}
        assert names(admin, include_private=True) == PUBLIC | {"household"}
        assert names(admin, include_private=True, include_drafts=True) == PUBLIC | {
            "household", "draft-plan"}

    def test_site_id_scoping(self):
        """A row indexed under another site_id is never returned (but is in the table)."""
        assert "foreign-biz-license" not in names(q="营业执照", include_private=True)
        assert _search(q="营业执照")["count"] == 1
        hits = connection.PgConnection().search(q="*:*", fq=['+site_id:"other-site"'], fl="name")
        assert [d["name"] for d in hits.docs] == ["foreign-biz-license"]

    # -- permission labels -----------------------------------------------------------------
    def test_permission_labels_direct(self, catalogue):
        """query.run: labels=None sees all; otherwise a dataset matches when it shares any label."""
        police = f"member-{catalogue['police']}"
        samr = f"member-{catalogue['samr']}"

        def run(labels, **q):
            query = search.query_for(model.Package)
            query.run(dict({"q": "", "fl": "name", "rows": 100}, **q), permission_labels=labels)
            return set(query.results)

        assert run(None) == PUBLIC | {"household"}
        assert run(["public"]) == PUBLIC
        assert run([police]) == {"household"}
        assert run(["public", police]) == PUBLIC | {"household"}
        assert run([samr]) == set()   # samr's datasets are public: only their "public" label
        assert run([samr], fq="+state:(active OR draft)") == {"draft-plan"}
        assert run(["no-such-label"]) == set()
        assert run(['we"ird label']) == set()

    def test_permission_labels_empty_list(self):
        """An empty label list (a plugin granting nothing) matches nothing, as in Solr."""
        query = search.query_for(model.Package)
        assert query.run({"q": "", "fl": "name"}, permission_labels=[])["count"] == 0

    # -- facets ----------------------------------------------------------------------------
    def test_facets_multi_valued(self):
        """Multi-valued fields are counted once per value per dataset."""
        r = _search(**{"facet.field": '["tags", "res_format", "organization", "groups"]'})
        assert r["facets"]["tags"] == {"企业": 2, "营业执照": 1, "登记": 1, "市场监管": 1,
                                       "抽查": 1, "社保": 1, "transport": 1, "traffic": 1}
        # biz-license has two CSV resources: counted once
        assert r["facets"]["res_format"] == {"CSV": 2, "XLSX": 1, "JSON": 1, "API": 1}
        assert r["facets"]["organization"] == {"samr": 4, "hrss": 1, "police": 1}
        assert r["facets"]["groups"] == {"economy": 2, "livelihood": 1}
        orgs = {i["name"]: i["display_name"] for i in r["search_facets"]["organization"]["items"]}
        assert orgs["samr"] == "省市场监督管理局"

    def test_facets_follow_the_query(self):
        """Facet counts are over the matching datasets only."""
        r = _search(q="tags:企业", **{"facet.field": '["tags"]'})
        assert r["facets"]["tags"] == {"企业": 2, "营业执照": 1, "登记": 1}

    def test_facet_limit_and_mincount(self):
        """facet.limit keeps the top values by count (-1 = all); facet.mincount drops rare ones."""
        tags = '["tags"]'
        assert _search(**{"facet.field": tags, "facet.limit": 1})["facets"]["tags"] == {"企业": 2}
        assert len(_search(**{"facet.field": tags, "facet.limit": -1})["facets"]["tags"]) == 8
        assert len(_search(**{"facet.field": tags, "facet.limit": 3})["facets"]["tags"]) == 3
        assert _search(**{"facet.field": tags, "facet.mincount": 2})["facets"]["tags"] == {"企业": 2}

    def test_facet_on_long_field(self):
        """Facets also work on fields kept only in the full ``fields`` column (e.g. res_url)."""
        r = _search(q="name:biz-license", **{"facet.field": '["res_url", "tags"]'})
        assert r["facets"]["res_url"] == {"http://x/1.csv": 1, "http://x/2.csv": 1}
        assert r["facets"]["tags"] == {"企业": 1, "营业执照": 1}

    def test_facet_ties_break_by_value(self):
        """Equal counts are ordered by value, so facet.limit is deterministic."""
        r = _search(**{"facet.field": '["tags"]', "facet.limit": 3})
        assert r["facets"]["tags"] == {"企业": 2, "traffic": 1, "transport": 1}

    # -- sort ------------------------------------------------------------------------------
    def test_sort_name_and_title(self):
        """name and title_string sort ascending and descending (title by code point)."""
        assert ordered(sort="name asc") == sorted(PUBLIC)
        assert ordered(sort="name desc") == sorted(PUBLIC, reverse=True)
        titles = [d["title"] for d in _search(sort="title_string asc", rows=100)["results"]]
        assert titles == sorted(titles) and titles[0] == "Road traffic counts"
        titles = [d["title"] for d in _search(sort="title_string desc", rows=100)["results"]]
        assert titles == sorted(titles, reverse=True)

    def test_sort_dates(self):
        """metadata_modified / metadata_created sort by date."""
        assert ordered(sort="metadata_modified desc")[-2:] == ["biz-register", "road-traffic"]
        assert ordered(sort="metadata_created asc")[:2] == ["road-traffic", "biz-register"]

    def test_sort_comma_list_and_any_field(self):
        """A comma list sorts by each key in turn; any indexed field can be a key (missing last)."""
        got = ordered(sort="license_id asc, name desc")
        assert got[:2] == ["biz-license", "road-traffic"]           # cc-by, cc-zero
        assert got[2:] == sorted(PUBLIC - {"biz-license", "road-traffic"}, reverse=True)
        assert ordered(sort="organization desc, name asc")[:4] == [
            "biz-license", "biz-register", "market-enterprise", "market-inspect"]

    def test_sort_score(self):
        """``score desc`` orders by relevance; without free text it falls through to the next key."""
        assert ordered(q="市场监管 企业", sort="score desc, name desc") == [
            "market-enterprise", "biz-register"]
        assert ordered(sort="score desc, name asc") == sorted(PUBLIC)

    @pytest.mark.parametrize("sort", [
        "title_string sideways", "name", "name asc desc", "name asc; DROP TABLE package",
        "bad field asc", "名字 asc", "name asc,,",
    ])
    def test_invalid_sort(self, sort):
        """An invalid sort is a ValidationError on ``sort`` (HTTP 409), never SQL."""
        with pytest.raises(tk.ValidationError) as e:
            _search(sort=sort)
        assert "sort" in e.value.error_dict

    # -- rows / start ----------------------------------------------------------------------
    def test_paging(self):
        """rows/start page through a stable order; count is always the total."""
        everything = sorted(PUBLIC)
        pages = [_search(sort="name asc", rows=4, start=s) for s in (0, 4, 8)]
        assert [[d["name"] for d in pg["results"]] for pg in pages] == [
            everything[0:4], everything[4:], []]
        assert {pg["count"] for pg in pages} == {6}
        r = _search(rows=0)
        assert r["count"] == 6 and r["results"] == []

    # -- fl and extras -----------------------------------------------------------------------
    def test_default_results_are_validated_dicts(self):
        """Without fl, results are the full validated dataset dicts (from the index)."""
        d = _search(q="name:biz-license")["results"][0]
        assert d["title"] == "企业营业执照信息"
        assert d["organization"]["name"] == "samr"
        assert {t["name"] for t in d["tags"]} == {"企业", "营业执照"}
        assert [r["name"] for r in d["resources"]] == ["执照明细表", "执照汇总"]
        assert {e["key"]: e["value"] for e in d["extras"]}["theme"] == "市场准入"
        raw = _search(q="name:biz-license", use_default_schema=True)["results"][0]
        assert raw["name"] == "biz-license" and raw["num_resources"] == 2

    def test_fl_in_package_search(self):
        """fl as a list or comma string returns only those fields; extras_* come back flattened."""
        assert _search(q="name:biz*", fl=["name"], sort="name asc")["results"] == [
            {"name": "biz-license"}, {"name": "biz-register"}]
        assert _search(q="name:biz-license", fl="name,title")["results"] == [
            {"name": "biz-license", "title": "企业营业执照信息"}]
        assert _search(q="name:biz-license", fl=["name", "title"])["results"] == [
            {"name": "biz-license", "title": "企业营业执照信息"}]
        assert _search(q="name:biz-license", fl=["name", "extras_theme"])["results"] == [
            {"name": "biz-license", "theme": "市场准入"}]

    def test_fl_in_query_run(self):
        """query.run honours CKAN's fl forms: ``id validated_data_dict``, ``data_dict``, ``name``, ``id``."""
        query = search.query_for(model.Package)
        r = query.run({"q": "name:biz-license", "fl": "id validated_data_dict"})
        assert set(r["results"][0]) == {"id", "validated_data_dict", "extras"}  # CKAN adds extras
        assert json.loads(r["results"][0]["validated_data_dict"])["name"] == "biz-license"
        r = query.run({"q": "name:biz-license", "fl": "data_dict"})
        assert json.loads(r["results"][0]["data_dict"])["title"] == "企业营业执照信息"
        assert query.run({"q": "name:biz*", "fl": "name", "sort": "name asc"})["results"] == [
            "biz-license", "biz-register"]
        pkg_id = model.Package.get("biz-license").id
        assert query.run({"q": "name:biz-license", "fl": "id"})["results"] == [pkg_id]

    def test_extras_convention(self):
        """Dataset extras are indexed as ``extras_<key>``: searchable, and returned under ``extras``."""
        query = search.query_for(model.Package)
        r = query.run({"q": "extras_theme:准入", "fl": "name extras_theme extras_record_count",
                       "sort": "name asc"})
        assert r["results"] == [
            {"name": "biz-license", "extras": {"theme": "市场准入", "record_count": "250"}},
            {"name": "biz-register", "extras": {"theme": "市场准入", "record_count": "1200"}},
        ]

    # -- refused queries -------------------------------------------------------------------
    @pytest.mark.parametrize("param, value", [
        ("q", "a~2"), ("q", "(营业执照"), ("q", 'title:"open'), ("q", "name:[a TO"),
        ("q", "metadata_modified:[yesterday TO NOW]"), ("q", "metadata_created:NOW-1FORTNIGHT"),
        ("fq", "tags:("), ("fq", "tags:)"), ("fq", "+owner_org:"),
    ])
    def test_syntax_outside_subset(self, param, value):
        """Query syntax outside the subset is a ValidationError naming the parameter, with a message."""
        with pytest.raises(tk.ValidationError) as e:
            _search(**{param: value})
        assert list(e.value.error_dict) == [param]
        assert e.value.error_dict[param][0]

    @pytest.mark.parametrize("value, fragment", [
        ("metadata_modified:[NOW-10000YEARS TO NOW]", "outside the dates"),
        ("record_count:[* TO 9999-12-31T23:59:59Z+1DAY]", "outside the dates"),
        ("metadata_created:[0001-01-01T00:00:00+08:00 TO *]", "outside the dates"),
        ("metadata_modified:[NOW-99999999999999999999999DAYS TO *]", "outside the dates"),
        ("(" * 248 + "营业执照" + ")" * 248, "nested deeper than"),
        ("-" * 991 + "营业执照", "nested deeper than"),
        ("record_count:[1e131072 TO *]", "outside the numbers"),
        ("营业执照 " * 1025, "more than 1024 terms"),
        ("营" * 20001, "longer than 20000 characters"),
    ])
    @pytest.mark.parametrize("param", ["q", "fq"])
    def test_inputs_that_were_500s(self, app, param, value, fragment):
        """The inputs that crashed the backend (issue 8) are a ValidationError naming the
        parameter in the portal's default locale (English here), answered 409 by the action API."""
        with pytest.raises(tk.ValidationError) as e:
            _search(**{param: value})
        assert list(e.value.error_dict) == [param]
        message = e.value.error_dict[param][0]
        assert fragment in message and " / " not in message
        body = app.post("/api/3/action/package_search", json={param: value}, status=409).json
        assert body["error"][param] == [message]

    @pytest.mark.parametrize("q", ["(" * 248 + "a" + ")" * 248, "metadata_modified:[NOW-10000YEARS TO NOW]"])
    def test_dataset_page_deep_or_overflowing_query_is_400(self, app, q):
        """The dataset page answers such queries with its 400, like any other bad query."""
        app.get("/dataset/", query_string={"q": q}, status=400)

    def test_query_limits_are_configured(self):
        """The length and clause limits are ``search.max_query_length`` / ``search.max_clauses``."""
        with pytest.MonkeyPatch.context() as mp:
            mp.setitem(tk.config, "ckanext.govshare.search.max_query_length", 10)
            with pytest.raises(tk.ValidationError, match="longer than 10 characters"):
                _search(q="营业执照 " * 3)
            mp.setitem(tk.config, "ckanext.govshare.search.max_query_length", 20000)
            mp.setitem(tk.config, "ckanext.govshare.search.max_clauses", 2)
            assert names(q="营业执照 企业") == {"biz-license"}
            with pytest.raises(tk.ValidationError, match="more than 2 terms"):
                _search(fq="tags:(a OR b OR c)")

    def test_lone_surrogates_are_ignored(self, app):
        """A lone UTF-16 surrogate (JSON ``"\\ud800"``), which PostgreSQL text cannot hold
        either, is dropped from q, fq and fl like a NUL byte."""
        assert names(q="营业\ud800执照") == {"biz-license"}
        assert names(fq='tags:"企\udfff业"') == {"biz-license", "biz-register"}
        assert _search(q="name:biz-license", fl=["na\ud800me"])["results"] == [{"name": "biz-license"}]
        r = app.post("/api/3/action/package_search", data='{"q": "\\ud800", "fq": "\\udc00"}',
                     content_type="application/json")
        assert r.json["result"]["count"] == 6

    def test_numeric_bounds_beyond_floats(self):
        """Numeric bounds are exact decimals: beyond a float's range they still compare."""
        assert names(q="record_count:[100 TO 1e999]") == {"biz-license", "biz-register"}
        assert names(q="record_count:[1e999 TO *]") == set()
        assert names(q="record_count:[-1e999 TO 99999999999999999999.5]") == {
            "biz-license", "biz-register", "market-enterprise", "road-traffic"}

    def test_start_beyond_the_results(self):
        """A start past the last result (even past PostgreSQL's bigint) is an empty page with
        the full count."""
        for start in (6, 10**6, 2**63, 10**30):
            r = _search(start=start)
            assert (r["count"], r["results"]) == (6, [])

    def test_nul_bytes_are_ignored(self, app):
        """A NUL byte (which PostgreSQL text cannot hold) is dropped from q, fq and fl, as when indexing."""
        assert names(q="营业\x00执照") == {"biz-license"}
        assert names(fq='tags:"企\x00业"') == {"biz-license", "biz-register"}
        assert _search(q="name:biz-license", fl=["na\x00me"])["results"] == [{"name": "biz-license"}]
        body = app.get("/api/3/action/package_search", query_string={"fq": "\x00"}).json
        assert body["result"]["count"] == 6

    def test_facet_field_limit(self):
        """Repeated facet fields count once; more distinct ones than ``search.max_facet_fields``
        are refused on ``facet.field`` (PostgreSQL's select list would overflow)."""
        r = _search(**{"facet.field": json.dumps(["tags"] * 2000)})
        assert r["facets"]["tags"]["企业"] == 2
        with pytest.raises(tk.ValidationError) as e:
            _search(**{"facet.field": json.dumps([f"f{i}" for i in range(101)])})
        assert list(e.value.error_dict) == ["facet.field"]
        assert "101" in e.value.error_dict["facet.field"][0]

    def test_invalid_facet_field(self):
        """A facet field that is not a field name is a ValidationError on ``facet.field``."""
        with pytest.raises(tk.ValidationError) as e:
            _search(**{"facet.field": '["tags; DROP TABLE package"]'})
        assert "facet.field" in e.value.error_dict

    def test_unknown_parameter(self):
        """An unknown parameter is refused by CKAN itself with a SearchQueryError naming it."""
        with pytest.raises(SearchQueryError, match="Invalid search parameters: \\['foo'\\]"):
            _search(foo="1")

    def test_ckan_guards_still_apply(self):
        """CKAN's own guards (local params, magic fields) run before the backend."""
        with pytest.raises(SearchError, match="Local parameters"):
            _search(q="{!func}x")
        with pytest.raises(SearchError, match="Magic fields"):
            _search(q="_val_:1")

    @pytest.mark.parametrize("params, status, key", [
        ({"q": "a~2"}, 409, "q"),
        ({"fq": "tags:("}, 409, "fq"),
        ({"sort": "name sideways"}, 409, "sort"),
        ({"rows": "-1"}, 409, "rows"),
        ({"q": "{!func}x"}, 409, "message"),
        ({"foo": "1"}, 400, "message"),
    ])
    def test_api_errors_are_not_500(self, app, params, status, key):
        """Through the action API bad searches answer 409 (400 for unknown parameters), never 500."""
        r = app.get("/api/3/action/package_search", query_string=params, status=status)
        body = r.json
        assert body["success"] is False and key in body["error"]

    def test_api_search_ok(self, app):
        """The action API answers Chinese free text with the matching dataset."""
        body = app.get("/api/3/action/package_search", query_string={"q": "营业执照"}).json
        assert body["result"]["count"] == 1
        assert body["result"]["results"][0]["name"] == "biz-license"

    # -- CKAN's other search users -------------------------------------------------------
    def test_package_autocomplete(self):
        """package_autocomplete matches names and titles, Chinese and Latin prefixes."""
        assert [a["name"] for a in helpers.call_action("package_autocomplete", q="营业")] == [
            "biz-license"]
        got = helpers.call_action("package_autocomplete", q="road")
        assert [(a["name"], a["match_field"]) for a in got] == [("road-traffic", "name")]

    def test_tag_show(self):
        """tag_show lists the public datasets carrying the tag."""
        tag = helpers.call_action("tag_show", id="企业", include_datasets=True)
        assert {d["name"] for d in tag["packages"]} == {"biz-license", "biz-register"}

    def test_organization_list_counts(self):
        """organization_list(all_fields=True) counts datasets per organization from the index."""
        orgs = helpers.call_action("organization_list", all_fields=True)
        assert {o["name"]: o["package_count"] for o in orgs} == {"samr": 4, "hrss": 1, "police": 2}
        groups = helpers.call_action("group_list", all_fields=True)
        assert {g["name"]: g["package_count"] for g in groups} == {"economy": 2, "livelihood": 1}

    def test_organization_show_count(self):
        """organization_show's package_count respects visibility (anonymous sees public only)."""
        org = helpers.call_action("organization_show", anonymous(), id="police")
        assert org["package_count"] == 1
        admin = factories.Sysadmin()
        org = helpers.call_action("organization_show", {"user": admin["name"]}, id="police")
        assert org["package_count"] == 2

    def test_search_show_cache(self):
        """search.show (package_show's cache) finds a dataset by name or id."""
        pkg_id = model.Package.get("social-insurance").id
        assert search.show("social-insurance")["id"] == pkg_id
        assert search.show(pkg_id)["name"] == "social-insurance"
        with pytest.raises(SearchError):
            search.show("foreign-biz-license")

    # -- pages -------------------------------------------------------------------------------
    def test_dataset_page_with_facets(self, app):
        """/dataset lists the datasets with organization, tag and format facets."""
        html = app.get("/dataset/").body
        assert "6 datasets found" in html
        for text in ("省市场监督管理局", "省人力资源和社会保障厅", "营业执照", "XLSX",
                     "企业营业执照信息", "Road traffic counts"):
            assert text in html
        assert "户籍人口统计" not in html

    def test_dataset_page_chinese_query(self, app):
        """/dataset?q=营业执照 finds the entry titled 企业营业执照信息 only."""
        html = app.get("/dataset/", query_string={"q": "营业执照"}).body
        assert "1 dataset found" in html
        assert "企业营业执照信息" in html and "企业登记信息" not in html

    def test_dataset_page_facet_filter(self, app):
        """A facet link (``?tags=企业``) filters the list."""
        html = app.get("/dataset/", query_string={"tags": "企业", "organization": "samr"}).body
        assert "2 datasets found" in html
        assert "市场监管抽查结果" not in html

    def test_dataset_page_bad_query_is_400(self, app):
        """A query outside the subset gives the page's 400, not a 500."""
        app.get("/dataset/", query_string={"q": "a~2"}, status=400)

    def test_dataset_read_page(self, app):
        """/dataset/<name> renders the dataset."""
        html = app.get("/dataset/biz-license").body
        assert "企业营业执照信息" in html and "执照明细表" in html

    def test_organization_pages(self, app):
        """/organization/<name> lists its datasets; /organization shows counts."""
        html = app.get("/organization/samr").body
        assert "4 datasets found" in html and "市场监管企业名录" in html
        html = app.get("/organization/police").body
        assert "1 dataset found" in html and "户籍人口统计" not in html
        html = app.get("/organization/").body
        assert "省市场监督管理局" in html and "4 Datasets" in html

    def test_group_page(self, app):
        """/group/<name> lists the group's datasets."""
        html = app.get("/group/economy").body
        assert "2 datasets found" in html and "企业登记信息" in html


# -- indexing: writes, transactions, CLI ---------------------------------------------------

@pytest.mark.usefixtures("clean_db")
def test_database_refusal_does_not_leak(monkeypatch, caplog):
    """Should PostgreSQL refuse a query all the same, the caller gets a ValidationError without
    PostgreSQL's text (logged instead) and the session stays usable."""
    factories.Dataset(name="some-entry")
    monkeypatch.setattr(connection.PgConnection, "_compile",
                        lambda self, comp, query, param: "CAST(g.name AS integer) = 1")
    with pytest.raises(tk.ValidationError) as e:
        _search(q="name:some-entry")
    assert e.value.error_dict == {"q": ["the query could not be executed"]}
    assert "invalid input syntax" in caplog.text
    monkeypatch.undo()
    assert names(q="name:some-entry") == {"some-entry"}


@pytest.mark.usefixtures("clean_db")
def test_word_longer_than_a_lexeme():
    """A dataset whose text holds a word beyond PostgreSQL's lexeme limit is indexed, and found
    by that word (indexing it failed the dataset's write)."""
    word = "a" * 3000
    factories.Dataset(name="long-word", notes=f"编码 {word} 结束")
    assert names(q=word) == {"long-word"}
    assert names(q="b" * 3000) == set()


@pytest.mark.parametrize("params", [
    {"rows": " "}, {"start": ""}, {"facet.mincount": " "}, {"include_private": "maybe"},
    {"include_drafts": "x"}, {"include_deleted": "x"}, {"use_default_schema": "x"},
])
@pytest.mark.usefixtures("clean_db")
def test_core_crashers_outside_the_backend(app, params):
    """Parameters CKAN's own package_search schema lets through to a crash are refused (409)."""
    body = app.get("/api/3/action/package_search", query_string=params, status=409).json
    assert list(params)[0] in body["error"]


@pytest.mark.usefixtures("clean_db")
def test_group_page_bad_query_shows_the_error(app):
    """A query outside the subset on a group's page shows the search error (was a 500), and a
    good query still lists the group's facets."""
    group = factories.Group()
    page = app.get(f"/group/{group['name']}", query_string={"q": "a~2"}, status=200)
    assert "search-form" in page.body and "error" in page.body.lower()
    assert app.get(f"/group/{group['name']}", query_string={"q": "x"}, status=200)


@pytest.mark.usefixtures("clean_db")
def test_department_page_bad_query_shows_the_error(app):
    """A query outside the subset on a department's page shows CKAN's search error instead
    of failing on the facets the view leaves unset (was a 500)."""
    group = factories.Organization()
    page = app.get(f"/organization/{group['name']}", query_string={"q": "a~2"}, status=200)
    assert "search-form" in page.body and "error" in page.body.lower()


@pytest.mark.usefixtures("clean_db")
def test_update_patch_delete_purge_reindex():
    """Updates, visibility changes, deletion and purge are reflected in search at once."""
    admin = factories.Sysadmin()
    org = factories.Organization()
    d = factories.Dataset(owner_org=org["id"], title="企业登记信息")

    def call(action, **kw):
        return helpers.call_action(action, {"user": admin["name"]}, **kw)

    call("package_patch", id=d["id"], title="户籍人口统计")
    assert names(q="户籍人口") == {d["name"]} and names(q="企业登记") == set()
    call("resource_create", package_id=d["id"], name="流动人口明细", url="http://x")
    assert names(q="流动人口") == {d["name"]}
    call("package_patch", id=d["id"], private=True)
    assert names(q="户籍人口") == set()
    assert names(q="户籍人口", include_private=True) == {d["name"]}
    call("package_delete", id=d["id"])
    assert names(q="户籍人口", include_private=True, include_deleted=True) == set()
    assert index_rows() == 0  # ckan.search.remove_deleted_packages (default true)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
def test_deleted_kept_when_configured_then_purged():
    """With remove_deleted_packages off, a deleted dataset is found only with include_deleted; purge drops it."""
    admin = factories.Sysadmin()
    d = factories.Dataset(title="户籍人口统计")
    helpers.call_action("package_delete", {"user": admin["name"]}, id=d["id"])
    assert names(q="户籍人口") == set()
    assert names(q="户籍人口", include_deleted=True) == {d["name"]}
    helpers.call_action("dataset_purge", {"user": admin["name"]}, id=d["id"])
    assert index_rows() == 0


@pytest.mark.usefixtures("clean_db")
def test_failed_validation_leaves_no_row():
    """A package_create that fails validation writes no index row; a failed update keeps the old one."""
    d = factories.Dataset(title="企业营业执照信息")
    with pytest.raises(tk.ValidationError):
        helpers.call_action("package_create", name="Bad Name!", title="户籍人口统计")
    model.Session.rollback()
    assert index_rows() == 1
    with pytest.raises(tk.ValidationError):
        helpers.call_action("package_update", id=d["id"], name="Bad Name!", title="户籍人口统计")
    model.Session.rollback()
    assert names(q="户籍人口") == set() and names(q="营业执照") == {d["name"]}


@pytest.mark.usefixtures("clean_db")
def test_rollback_after_index_write_leaves_no_row(monkeypatch):
    """The index row is in the dataset's transaction: a failure after writing it rolls both back."""
    original = connection.PgConnection.add

    def add_then_fail(self, docs, **kw):
        original(self, docs, **kw)
        assert model.Session.execute(sa.text("SELECT count(*) FROM govshare_search_index")).scalar() == 1
        raise search.SearchIndexError("injected failure after the index write")

    monkeypatch.setattr(connection.PgConnection, "add", add_then_fail)
    with pytest.raises(search.SearchIndexError):
        helpers.call_action("package_create", name="rolled-back", title="企业营业执照信息")
    model.Session.rollback()
    assert index_rows() == 0
    assert model.Session.query(model.Package).filter_by(name="rolled-back").count() == 0


@pytest.mark.usefixtures("clean_db")
def test_rollback_through_the_api(app, monkeypatch):
    """Through the API, a failing index write answers an error and leaves neither dataset nor row."""
    user = factories.SysadminWithToken()
    original = connection.PgConnection.add

    def add_then_fail(self, docs, **kw):
        original(self, docs, **kw)
        raise search.SearchIndexError("injected")

    monkeypatch.setattr(connection.PgConnection, "add", add_then_fail)
    app.post("/api/3/action/package_create", json={"name": "api-rolled-back"},
             headers={"Authorization": user["token"]}, status=500)
    monkeypatch.undo()
    assert index_rows() == 0
    assert model.Session.query(model.Package).filter_by(name="api-rolled-back").count() == 0
    app.post("/api/3/action/package_create", json={"name": "api-ok", "title": "营业执照"},
             headers={"Authorization": user["token"]})
    assert names(q="营业执照") == {"api-ok"}


@pytest.mark.usefixtures("clean_db")
def test_dataset_type_filters():
    """``+dataset_type:dataset`` / ``-dataset_type:harvest`` (as CKAN's pages build them) filter by type."""
    d = factories.Dataset()
    h = factories.Dataset(type="harvest", title="采集源")
    assert names() == {d["name"], h["name"]}
    assert names(fq="+dataset_type:dataset") == {d["name"]}
    assert names(fq="-dataset_type:harvest") == {d["name"]}
    assert names(fq="+dataset_type:harvest") == {h["name"]}
    assert names(q="采集源", fq="+dataset_type:harvest") == {h["name"]}


def test_search_columns_migration_down_and_up(clean_db, migrate_db_for):
    """Migration 005 drops the filter columns and, going up again, refills them from ``fields``."""
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], private=True, tags=[{"name": "企业"}],
                      extras=[{"key": "theme", "value": "市场准入"}])
    factories.Dataset(tags=[{"name": "人口"}])
    columns = "keys, state, capacity, dataset_type, permission_labels"

    def rows():
        return model.Session.execute(sa.text(
            f"SELECT index_id, {columns} FROM govshare_search_index ORDER BY index_id")).fetchall()

    written = rows()
    assert {r.capacity for r in written} == {"public", "private"}
    assert written[0].keys and "extras_theme" not in written[0].keys
    model.Session.remove()
    migrate_db_for("govshare", "3abc48a2f06d", False)
    assert not model.Session.execute(sa.text(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'govshare_search_index' AND column_name = 'keys'")).scalar()
    model.Session.remove()
    migrate_db_for("govshare")
    assert rows() == written
    assert names(fq='tags:"企业"', include_private=True) != set()
    model.Session.remove()


def test_negated_column_filter_keeps_rows_without_the_value(clean_db):
    """``-dataset_type:harvest`` keeps a row that has no dataset_type at all (no SQL NULL trap)."""
    d = factories.Dataset()
    doc = search.show(d["name"])
    for key in ("dataset_type", "capacity"):
        doc.pop(key)
    doc.update(index_id="typeless", name="typeless")
    connection.PgConnection().add([doc])
    model.Session.commit()
    conn = connection.PgConnection()

    def found(fq):
        return {x["name"] for x in conn.search(q="*:*", fq=fq, fl="name", rows=10).docs}

    assert found(["-dataset_type:harvest"]) == {d["name"], "typeless"}
    assert found(["-capacity:private"]) == {d["name"], "typeless"}
    assert found(["+dataset_type:dataset"]) == {d["name"]}
    assert found(["-(-dataset_type:dataset)"]) == {d["name"]}


@pytest.mark.usefixtures("clean_db")
def test_numeric_fields_sort_numerically():
    """num_tags / num_resources sort as numbers (12 after 3 in desc order), as Solr's int fields."""
    few = factories.Dataset(tags=[{"name": f"t{i}"} for i in range(3)])
    many = factories.Dataset(tags=[{"name": f"t{i}"} for i in range(12)])
    assert ordered(sort="num_tags desc") == [many["name"], few["name"]]
    assert ordered(sort="num_tags asc") == [few["name"], many["name"]]


@pytest.mark.usefixtures("clean_db")
def test_search_index_cli(cli):
    """``ckan search-index rebuild|check|show|clear`` work against the PostgreSQL index."""
    a = factories.Dataset(title="企业营业执照信息")
    b = factories.Dataset(title="户籍人口统计")
    model.Session.execute(sa.text("TRUNCATE govshare_search_index"))
    model.Session.commit()
    assert names() == set()

    result = cli.invoke(ckan.cli.cli.ckan, ["search-index", "check"])
    assert not result.exit_code, result.output
    assert "Packages not indexed = 2 out of 2" in result.output

    result = cli.invoke(ckan.cli.cli.ckan, ["search-index", "rebuild", "-q"])
    assert not result.exit_code, result.output
    assert names() == {a["name"], b["name"]}
    assert names(q="营业执照") == {a["name"]}
    result = cli.invoke(ckan.cli.cli.ckan, ["search-index", "check"])
    assert "Packages not indexed = 0 out of 2" in result.output

    result = cli.invoke(ckan.cli.cli.ckan, ["search-index", "show", a["name"]])
    assert not result.exit_code, result.output
    assert a["id"] in result.output and "企业营业执照信息" in result.output

    result = cli.invoke(ckan.cli.cli.ckan, ["search-index", "clear", a["name"]])
    assert not result.exit_code, result.output
    assert names() == {b["name"]}

    result = cli.invoke(ckan.cli.cli.ckan, ["search-index", "rebuild", "-o", "-q"])
    assert not result.exit_code, result.output
    assert names() == {a["name"], b["name"]}


@pytest.mark.usefixtures("clean_db")
def test_clear_keeps_other_sites(cli):
    """``search-index clear`` empties this site's rows only; another site's rows stay."""
    d = factories.Dataset()
    doc = search.show(d["name"])
    doc.update(index_id="foreign-row", site_id="other-site")
    connection.PgConnection().add([doc])
    model.Session.commit()
    result = cli.invoke(ckan.cli.cli.ckan, ["search-index", "clear"])
    assert not result.exit_code, result.output
    assert names() == set()
    assert model.Session.execute(sa.text(
        "SELECT site_id FROM govshare_search_index")).scalars().all() == ["other-site"]


@pytest.mark.usefixtures("clean_db")
def test_reset_index_behind_clean_index(reset_index):
    """CKAN's ``clean_index`` fixture (``reset_index``) empties the PostgreSQL index."""
    factories.Dataset()
    factories.Dataset()
    assert _search()["count"] == 2
    reset_index()
    assert _search()["count"] == 0 and index_rows() == 0


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_clean_index_fixture_and_factories():
    """The ``clean_index`` fixture and ``factories.Dataset/Organization`` work without Solr."""
    org = factories.Organization(title="省公安厅")
    d = factories.Dataset(owner_org=org["id"], title="户籍人口统计")
    assert names(q="户籍人口") == {d["name"]}


@pytest.mark.usefixtures("clean_db")
def test_dataset_created_after_midnight_utc_in_shanghai():
    """metadata_modified ranges compare instants: a naive CKAN timestamp is UTC."""
    d = factories.Dataset()
    modified = dt.datetime.fromisoformat(search.show(d["name"])["metadata_modified"].rstrip("Z"))
    start = (modified - dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(fq=f"metadata_modified:[{start} TO NOW]") == {d["name"]}
    shanghai = (modified + dt.timedelta(hours=8, seconds=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert names(fq=f'metadata_modified:[* TO "{shanghai}"]') == {d["name"]}
    shanghai = (modified + dt.timedelta(hours=8, seconds=-1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert names(fq=f'metadata_modified:[* TO "{shanghai}"]') == set()
