"""The ``govshare`` RDF profile: a catalogue entry → DCAT-AP 3 graph → the same entry, in
Turtle, JSON-LD and RDF/XML (domain reference §D); no database."""
from __future__ import annotations

import copy

import pytest
import rdflib
from ckanext.dcat.processors import RDFParser, RDFSerializer
from rdflib import URIRef
from rdflib.compare import isomorphic

from ckanext.govshare.exchange import dcat_feed, dcat_profile, dcat_terms

PROFILES = ["euro_dcat_ap_3", "govshare"]
ORG = "6f1c2a9b-0000-4000-8000-00000000aaaa"


def _entry(**extra):
    entry = {
        "id": "0b7b6c36-1111-4222-8333-444455556666", "name": "101001-000007", "type": "dataset",
        "title": "企业登记信息（太原市）", "notes": "省市场监督管理局登记注册处编制的企业登记信息。",
        "owner_org": ORG, "provider_code": "11140000MB0123456X", "provider_unit": "DJZCC",
        "is_classified": "false",
        "catalog_class": "1", "catalog_item": "02", "catalog_subitem": "001", "catalog_detail": "A1",
        "resource_code": "102001A1/000007",
        "format_category": "other", "format_type": "other", "format_other_desc": "OFD 版式文件",
        "info_items": [
            {"name": "统一社会信用代码", "name_en": "uscc", "data_type": "C", "length": 18,
             "share_type": "conditional", "grade": "G2", "is_sensitive": "false",
             "description": "18位代码"},
            {"name": "法定代表人身份证号", "name_en": "legal_id", "data_type": "C", "length": 18,
             "share_type": "not_shared", "share_condition": "《个人信息保护法》第十三条",
             "grade": "G3", "is_sensitive": "true"},
            {"name": "注册资本", "data_type": "N", "length": 20, "share_type": "conditional"},
        ],
        "share_type": "conditional", "share_type_reason": "涉及个人信息。",
        "share_condition": "仅限履行法定职责使用。",
        "share_scope": [
            {"consumers": "省直部门", "regions": "全省", "need_to_know": "经办人员",
             "usage": "行政审批", "scenarios": "企业开办", "agreement_required": "true"},
            {"consumers": "市县部门", "regions": "太原市", "need_to_know": "科室负责人",
             "usage": "监管", "scenarios": "双随机检查", "agreement_required": "false"},
        ],
        "share_mode_category": "platform", "share_mode_type": "api",
        "open_type": "conditional_open", "open_condition": "经申请向社会开放汇总数据",
        "update_cycle": "other", "update_cycle_other": "每逢登记变更后 3 日内",
        "data_grade": "G3",
        "related_resource_codes": ["102001/000001", "102002/000003"],
        "source_system": "企业登记业务系统",
        "business_matters": ["企业设立登记", "企业变更登记", "企业注销登记"],
        "issued": "2026-12-05", "catalogue_state": "published",
        "metadata_created": "2026-12-04T16:46:09.417869",
        "metadata_modified": "2026-12-05T08:00:00.000001",
        "tags": [{"name": "企业"}, {"name": "登记"}],
        "resources": [
            {"id": "r-0001", "package_id": "0b7b6c36-1111-4222-8333-444455556666", "position": 0,
             "name": "企业登记信息查询接口", "url": "https://share.example.gov.cn/api/qy",
             "format": "JSON", "share_mode_type": "api", "description": "经共享平台以接口提供"},
            {"id": "r-0002", "package_id": "0b7b6c36-1111-4222-8333-444455556666", "position": 1,
             "name": "企业登记信息文件", "url": "https://share.example.gov.cn/files/qy.ofd",
             "format": "OFD", "share_mode_type": "file"},
        ],
    }
    entry.update(extra)
    return entry


def _round_trip(entry, fmt):
    serializer = RDFSerializer(profiles=PROFILES)
    text = serializer.serialize_dataset(copy.deepcopy(entry), _format=fmt)
    parser = RDFParser(profiles=PROFILES)
    parser.parse(text, _format={"ttl": "turtle", "jsonld": "json-ld", "xml": "xml"}[fmt])
    [parsed] = list(parser.datasets())
    return parsed, serializer


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "xml"])
def test_round_trip_every_catalogue_field(fmt):
    """dict → graph → dict gives back every catalogue field, the tags and the resources."""
    entry = _entry()
    parsed, _ = _round_trip(entry, fmt)
    for key in dcat_profile.ENTRY_FIELDS:
        assert parsed.get(key) == entry.get(key), key
    assert sorted(t["name"] for t in parsed["tags"]) == ["企业", "登记"]
    assert [{k: r.get(k) for k in dcat_profile.RESOURCE_FIELDS} for r in parsed["resources"]] \
        == [{k: r.get(k) for k in dcat_profile.RESOURCE_FIELDS} for r in entry["resources"]]
    # the stock profile's guesses for what the catalogue maps itself are gone
    assert not {e["key"] for e in parsed.get("extras", [])} & {"identifier", "theme", "frequency"}


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "xml"])
def test_department_with_its_units_reaches_the_harvester(fmt):
    """A feed page describes each department with its name, 统一社会信用代码 and internal units
    (org:hasUnit); the parser gives them to the harvester under PUBLISHER, so the platform can
    create the department its copies' units belong to."""
    entry = _entry()
    serializer = RDFSerializer(profiles=PROFILES)
    serializer.graph_from_dataset(copy.deepcopy(entry))
    publisher = dcat_profile.publisher_ref(entry)
    serializer.g.remove((publisher, None, None))  # the page describes it, as the feed does
    units = [{"code": "DJZCC", "name": "登记注册处"}, {"code": "XYJGC", "name": "信用监督管理处"}]
    dcat_profile.add_publisher(serializer.g, publisher, "省市场监督管理局", "11140000MB0123456X",
                               units)
    text = serializer.g.serialize(format={"ttl": "turtle", "jsonld": "json-ld", "xml": "xml"}[fmt])
    parser = RDFParser(profiles=PROFILES)
    parser.parse(text, _format={"ttl": "turtle", "jsonld": "json-ld", "xml": "xml"}[fmt])
    [parsed] = list(parser.datasets())
    assert parsed[dcat_profile.PUBLISHER] == {
        "uri": str(publisher), "title": "省市场监督管理局", "uscc": "11140000MB0123456X",
        "units": units}
    assert parsed["provider_code"] == "11140000MB0123456X"


def test_mapping_to_dcat_ap():
    """The DCAT-AP properties: resource code as identifier, publisher with the USCC, theme in
    the classification scheme, EU frequency and access right, never the share type there."""
    serializer = RDFSerializer(profiles=PROFILES)
    ref = serializer.graph_from_dataset(_entry(update_cycle="daily"))
    g = serializer.g
    dct = dcat_terms.EU_FREQUENCY  # noqa: F841  (namespace below spelled out)
    DCT = "http://purl.org/dc/terms/"
    assert [str(o) for o in g.objects(ref, URIRef(DCT + "identifier"))] == ["102001A1/000007"]
    [publisher] = g.objects(ref, URIRef(DCT + "publisher"))
    assert str(publisher).endswith("/organization/" + ORG)
    assert [str(o) for o in g.objects(publisher, URIRef(DCT + "identifier"))] == \
        ["11140000MB0123456X"]
    [theme] = g.objects(ref, URIRef("http://www.w3.org/ns/dcat#theme"))
    assert dcat_terms.classification_of(theme) == ["1", "02", "001", "A1"]
    assert list(g.objects(ref, URIRef(DCT + "accrualPeriodicity"))) == \
        [dcat_terms.EU_FREQUENCY["DAILY"]]
    assert list(g.objects(ref, URIRef(DCT + "accessRights"))) == \
        [dcat_terms.EU_ACCESS_RIGHT["RESTRICTED"]]
    assert list(g.objects(ref, dcat_terms.ZWSJ.shareType)) == \
        [dcat_terms.concept("shareType", "conditional")]


def test_file_has_download_url_api_only_access_url():
    serializer = RDFSerializer(profiles=PROFILES)
    ref = serializer.graph_from_dataset(_entry())
    g = serializer.g
    dcat = "http://www.w3.org/ns/dcat#"
    urls = {str(d).rsplit("/", 1)[-1]: (
        [str(o) for o in g.objects(d, URIRef(dcat + "accessURL"))],
        [str(o) for o in g.objects(d, URIRef(dcat + "downloadURL"))])
        for d in g.objects(ref, URIRef(dcat + "distribution"))}
    assert urls == {"r-0001": (["https://share.example.gov.cn/api/qy"], []),
                    "r-0002": (["https://share.example.gov.cn/files/qy.ofd"],
                               ["https://share.example.gov.cn/files/qy.ofd"])}


@pytest.mark.parametrize("change", [{"share_type": "not_shared", "no_share_basis": "法律依据"},
                                    {"catalogue_state": "offline"}])
def test_no_distribution_when_not_shared_or_offline(change):
    """A not-shared entry, and an offline one (a tombstone, adms:status withdrawn), have no
    distribution."""
    serializer = RDFSerializer(profiles=PROFILES)
    ref = serializer.graph_from_dataset(_entry(**change))
    g = serializer.g
    assert list(g.objects(ref, URIRef("http://www.w3.org/ns/dcat#distribution"))) == []
    status = list(g.objects(ref, URIRef("http://www.w3.org/ns/adms#status")))
    assert status == [dcat_terms.WITHDRAWN if change.get("catalogue_state") == "offline"
                      else dcat_terms.EU_DATASET_STATUS["COMPLETED"]]
    assert not list(g.triples((None, URIRef("http://www.w3.org/ns/dcat#accessURL"), None)))


def test_hidden_resources_point_at_the_request_page():
    """A redacted entry's hidden resources: the request page as access URL, no download URL,
    no resource id."""
    entry = _entry(resources=[], govshare_hidden_resources=[
        {"name": "企业登记信息文件", "format": "OFD", "position": 1}])
    serializer = RDFSerializer(profiles=PROFILES)
    serializer.graph_from_dataset(entry)
    text = serializer.g.serialize(format="turtle")
    assert "/dataset/101001-000007/request" in text
    assert "downloadURL" not in text and "r-000" not in text
    parsed, _ = _round_trip(entry, "ttl")
    [res] = parsed["resources"]
    assert res["name"] == "企业登记信息文件" and res["format"] == "OFD"
    assert res["url"].endswith("/dataset/101001-000007/request")


def test_plain_dataset_left_to_the_stock_profile():
    """A dataset that is not a catalogue entry keeps the stock mapping (its id as identifier)."""
    plain = {"id": "plain-1", "name": "plain-1", "title": "Plain", "notes": "n",
             "resources": [], "tags": []}
    serializer = RDFSerializer(profiles=PROFILES)
    ref = serializer.graph_from_dataset(plain)
    assert [str(o) for o in serializer.g.objects(
        ref, URIRef("http://purl.org/dc/terms/identifier"))] == ["plain-1"]
    assert not list(serializer.g.triples((ref, dcat_terms.ZWSJ.shareType, None)))


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "xml"])
def test_stored_fragments_are_the_entry_graph(fmt):
    """What the feed stores for an entry (its meta and data parts), put in a page, is the
    graph the profiles build, less its department's description (the page adds that); the
    guarded part keeps names and formats, never an address of the data."""
    entry = _entry()
    texts = dcat_feed.fragment_texts(entry)
    expected, ref = dcat_feed.graph_from_dataset({k: v for k, v in entry.items()
                                                   if k != "organization"})
    publisher = dcat_profile.publisher_ref(entry)
    expected.remove((publisher, None, None))
    known = dcat_feed.known_prefixes()
    parsed = rdflib.Graph()
    parsed.parse(data=dcat_feed.document(fmt, known, [texts[f"meta_{fmt}"], texts[f"data_{fmt}"]]),
                 format={"ttl": "turtle", "jsonld": "json-ld", "xml": "xml"}[fmt])
    assert isomorphic(parsed, expected)
    guarded = texts[f"guarded_{fmt}"]
    assert "企业登记信息文件" in guarded and "share.example.gov.cn" not in guarded
