"""The harvest endpoint ``/catalog.{ttl,jsonld,xml}`` (issue #11 §1): published entries and
offline tombstones only, data URLs only where permissions.py lets the reader see the data,
keyset pages that neither repeat nor skip while entries change, ``modified_since``, 403 for
anonymous visitors, and each page the harvest account fetched on record (DB14 §7.5)."""
from __future__ import annotations

import datetime
import pathlib
import time
from types import SimpleNamespace

import ckan.model as model
import pyshacl
import pytest
import rdflib
from ckan.tests import factories, helpers

from ckanext.govshare.exchange import dcat_terms as T
from ckanext.govshare.model.harvest import DcatFragment, HarvestDelivery, HarvestRequest
from ckanext.govshare.model.sharing import Authorization

from .. import access as A
from .. import lifecycle as L
from ..departments import department

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
HARVESTER = "provincial-platform"
SHAPES = pathlib.Path(__file__).resolve().parent.parent / "shacl"
RDFLIB = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml"}


def build() -> SimpleNamespace:
    provider = department()
    platform = department()
    harvester = factories.User(name=HARVESTER)
    A.member(platform, harvester)
    w = SimpleNamespace(provider=provider, platform=platform, harvester=harvester,
                        admin=factories.User(), outsider=factories.User())
    A.member(provider, w.admin, "admin")
    w.open = A.entry(provider, A.UNCONDITIONAL)
    w.cond = A.entry(provider, A.CONDITIONAL_G2)
    w.closed = A.entry(provider, A.NOT_SHARED)
    w.gone = A.entry(provider, A.UNCONDITIONAL)
    helpers.call_action("govshare_catalogue_import", L.site(), id=w.gone["id"],
                        catalogue_state="offline")
    w.draft = A.entry(provider, A.CONDITIONAL_G2, publish=False)
    w.review = A.entry(provider, A.CONDITIONAL_G2, publish=False)
    helpers.call_action("govshare_catalogue_import", L.site(), id=w.review["id"],
                        catalogue_state="in_review")
    w.token = helpers.call_action("api_token_create", L.site(), user=HARVESTER,
                                  name="platform")["token"]
    return w


@pytest.fixture
def w(fresh):
    return fresh(build)


def _get(app, w, fmt="ttl", token=True, **params):
    headers = {"Authorization": w.token} if token else {}
    return app.get(f"/catalog.{fmt}", query_string=params, headers=headers)


def _graph(response, fmt="ttl") -> rdflib.Graph:
    assert response.status_code == 200, response.body[:500]
    g = rdflib.Graph()
    g.parse(data=response.body, format=RDFLIB[fmt])
    return g


def _entry_uris(g):
    return {str(s).rsplit("/", 1)[-1] for s in g.subjects(rdflib.RDF.type, DCAT.Dataset)}


def _next(g):
    for o in g.objects(None, T.HYDRA.next):
        return str(o)
    return None


@pytest.mark.ckan_config("ckanext.govshare.harvest_user", HARVESTER)
class TestFeed:
    @pytest.mark.parametrize("fmt", ["ttl", "jsonld", "xml"])
    def test_published_and_tombstones_only(self, app, w, fmt):
        """Published entries and the offline one (adms:status withdrawn, no distribution);
        never the draft or the entry in review; each department described once."""
        g = _graph(_get(app, w, fmt), fmt)
        assert _entry_uris(g) == {w.open["id"], w.cond["id"], w.closed["id"], w.gone["id"]}
        gone = rdflib.URIRef(f"http://localhost/dataset/{w.gone['id']}")
        assert list(g.objects(gone, ADMS.status)) == [T.WITHDRAWN]
        assert list(g.objects(gone, DCAT.distribution)) == []
        publisher = next(g.objects(gone, DCT.publisher))
        assert str(g.value(publisher, DCT.identifier)) == w.provider["uscc"]
        assert str(g.value(publisher, rdflib.URIRef("http://xmlns.com/foaf/0.1/name"))) == \
            w.provider["title"]

    def test_distributions_follow_permissions(self, app, w):
        """Unconditional: the data URL; conditional without authorization: the request page,
        no download URL; with an authorization in force for the platform's department: the
        data URL, gone again once it is revoked; not shared: no distribution at all."""
        def urls(entry):
            g = _graph(_get(app, w))
            ref = rdflib.URIRef(f"http://localhost/dataset/{entry['id']}")
            return sorted(str(u) for d in g.objects(ref, DCAT.distribution)
                          for p in (DCAT.accessURL, DCAT.downloadURL) for u in g.objects(d, p))

        data_url = w.cond["resources"][0]["url"]
        assert urls(w.open) == [w.open["resources"][0]["url"]]
        assert urls(w.cond) == [f"http://localhost/dataset/{w.cond['name']}/request"]
        assert urls(w.closed) == []
        now = datetime.datetime.now(datetime.timezone.utc)
        grant = Authorization(number="SQZ-TEST-1", entry_id=w.cond["id"],
                              provider_org=w.provider["id"], consumer_org=w.platform["id"],
                              persons=[], items=[], status="active",
                              valid_from=now - datetime.timedelta(days=1),
                              valid_until=now + datetime.timedelta(days=30))
        model.Session.add(grant)
        model.Session.commit()
        grant_id = grant.id
        assert urls(w.cond) == [data_url]
        model.Session.query(Authorization).filter(Authorization.id == grant_id).update(
            {"status": "revoked"})
        model.Session.commit()
        assert urls(w.cond) == [f"http://localhost/dataset/{w.cond['name']}/request"]

    def test_harvest_recorded(self, app, w):
        """Each page the harvest account fetches is recorded, and each entry on it: the
        department sees it reported, and changed since once it changes."""
        # ckanext-dcat's harvester asks HEAD before each GET: checked, not built nor recorded
        head = app.test_client().head("/catalog.ttl", headers={"Authorization": w.token})
        assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/turtle")
        assert "Content-Length" not in head.headers and not head.data
        assert model.Session.query(HarvestRequest).count() == 0
        _graph(_get(app, w))
        assert model.Session.query(HarvestRequest).count() == 1
        delivered = {d.package_id for d in model.Session.query(HarvestDelivery)}
        assert delivered == {w.open["id"], w.cond["id"], w.closed["id"], w.gone["id"]}
        rows = helpers.call_action("govshare_harvest_delivery_list",
                                   {"user": w.admin["name"]}, organization_id=w.provider["id"])
        assert {r["id"] for r in rows} == delivered and not any(r["changed_since"] for r in rows)
        helpers.call_action("govshare_catalogue_import", L.site(), id=w.open["id"],
                            catalogue_state="offline")
        rows = helpers.call_action("govshare_harvest_delivery_list",
                                   {"user": w.admin["name"]}, organization_id=w.provider["id"])
        assert [r["id"] for r in rows if r["changed_since"]] == [w.open["id"]]
        page = app.get(f"/dataset/{w.cond['name']}", extra_environ={"REMOTE_USER": ""},
                       headers={"Authorization": helpers.call_action(
                           "api_token_create", L.site(), user=w.admin["name"],
                           name="a")["token"]})
        assert "govshare-harvested" in page.body
        dept = app.get(f"/organization/{w.provider['name']}/govshare/harvest",
                       headers={"Authorization": helpers.call_action(
                           "api_token_create", L.site(), user=w.admin["name"],
                           name="b")["token"]})
        assert dept.status_code == 200 and "govshare-harvest-changed" in dept.body
        # another user's pages are not the platform's: nothing more recorded
        _get(app, w, token=False)
        assert model.Session.query(HarvestRequest).count() == 1

    def test_outsider_may_not_see_the_department_page(self, app, w):
        token = helpers.call_action("api_token_create", L.site(), user=w.outsider["name"],
                                    name="o")["token"]
        response = app.get(f"/organization/{w.provider['name']}/govshare/harvest",
                           headers={"Authorization": token})
        assert response.status_code == 403

    def test_paging_stable_while_entries_change(self, app, w, monkeypatch):
        """Pages of one entry: an entry taken offline keeps its place, one published during
        the harvest comes last; every entry exactly once."""
        from ckan.common import config

        monkeypatch.setitem(config, "ckanext.dcat.datasets_per_page", 1)
        seen: list[str] = []
        g = _graph(_get(app, w))
        seen += _entry_uris(g)
        helpers.call_action("govshare_catalogue_import", L.site(), id=w.open["id"],
                            catalogue_state="offline")
        late = A.entry(w.provider, A.UNCONDITIONAL)
        url = _next(g)
        while url:
            g = _graph(app.get(url.replace("http://localhost", ""),
                               headers={"Authorization": w.token}))
            seen += _entry_uris(g)
            url = _next(g)
        assert sorted(seen) == sorted({w.open["id"], w.cond["id"], w.closed["id"], w.gone["id"],
                                       late["id"]})
        assert seen[-1] == late["id"]

    def test_modified_since(self, app, w):
        """Only the entries written since the given time."""
        time.sleep(0.01)
        since = datetime.datetime.now(datetime.timezone.utc).isoformat()
        helpers.call_action("govshare_catalogue_import", L.site(), id=w.cond["id"],
                            catalogue_state="offline")
        assert _entry_uris(_graph(_get(app, w, modified_since=since))) == {w.cond["id"]}
        assert _get(app, w, modified_since="not a date").status_code == 409

    def test_shacl_dcat_ap_3_and_zwsj(self, app, w):
        """The page conforms to the DCAT-AP 3 shapes and to the govshare namespace's shapes;
        an entry without its title, or with its share type outside the scheme, does not."""
        shapes = rdflib.Graph()
        for path in sorted(SHAPES.glob("*.ttl")):
            shapes.parse(path, format="turtle")
        g = _graph(_get(app, w))
        conforms, _report, text = pyshacl.validate(g, shacl_graph=shapes)
        assert conforms, text
        entry = rdflib.URIRef(f"http://localhost/dataset/{w.cond['id']}")
        broken = rdflib.Graph() + g
        broken.remove((entry, DCT.title, None))
        broken.set((entry, T.ZWSJ.shareType, T.concept("shareType", "sometimes")))
        conforms, _report, text = pyshacl.validate(broken, shacl_graph=shapes)
        assert not conforms
        assert "dct:title" in text and "shareType" in text

    def test_anonymous_refused_when_the_catalogue_is_not_public(self, app, w):
        """The catalogue is internal (DB14 §4): anonymous visitors get 403."""
        assert _get(app, w, token=False).status_code == 403

    def test_anonymous_reads_a_public_catalogue_without_data(self, app, w, monkeypatch):
        """A public catalogue (decided when asked, as permissions.py reads it): the metadata,
        never a data URL."""
        from ckan.common import config

        monkeypatch.setitem(config, "ckanext.govshare.public_catalogue", True)
        g = _graph(_get(app, w, token=False))
        assert w.open["id"] in _entry_uris(g)
        assert not [u for u in g.objects(None, DCAT.accessURL)
                    if "share.example.gov.cn" in str(u)]

    def test_bad_page_and_search_refused(self, app, w):
        assert _get(app, w, page="2").status_code == 409
        assert _get(app, w, q="title:x").status_code == 409
        # HEAD refuses what GET refuses
        assert app.test_client().head("/catalog.ttl", query_string={"page": "2"},
                        headers={"Authorization": w.token}).status_code == 409
        assert app.test_client().head("/catalog.ttl").status_code == 403

    def test_fragments_follow_the_entries(self, w):
        """Built with the write, in its transaction; none for a draft; removed on delete."""
        ids = {f.package_id for f in model.Session.query(DcatFragment)}
        assert ids == {w.open["id"], w.cond["id"], w.closed["id"], w.gone["id"]}
        helpers.call_action("package_delete", L.site(), id=w.closed["id"])
        assert model.Session.query(DcatFragment).get(w.closed["id"]) is None
