"""The RDF harvester's side of a govshare portal (``exchange/dcat_harvest.py``): the platform's
API token from the harvest source's configuration goes to the source's own host only; no
database (the real harvest is ``tests/browser/test_dcat_harvest.py``)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import requests

from ckanext.govshare.exchange import dcat_harvest


def _job(url: str, config: dict | None) -> SimpleNamespace:
    """What the hooks read of ckanext-harvest's HarvestJob: its source's URL and config."""
    return SimpleNamespace(source=SimpleNamespace(
        url=url, config=json.dumps(config) if config is not None else None))


def _headers(session: requests.Session, url: str) -> dict[str, str]:
    return dict(session.prepare_request(requests.Request("GET", url)).headers)


def test_token_sent_to_the_source_only():
    """The token of the job's source is sent with each of its pages, never to another host a
    hydra:next link might name."""
    source = "https://samr.example.gov.cn/catalog.ttl"
    assert dcat_harvest.before_download(source, _job(source, {"api_key": "TOKEN"})) \
        == (source, [])
    session = dcat_harvest.update_session(requests.Session())
    assert _headers(session, source)["Authorization"] == "TOKEN"
    assert _headers(session, "https://SAMR.example.gov.cn/catalog.ttl?page=after-100")[
        "Authorization"] == "TOKEN"
    for elsewhere in ("https://evil.example.com/catalog.ttl", "http://samr.example.gov.cn/x",
                      "https://samr.example.gov.cn:8443/catalog.ttl"):
        assert "Authorization" not in _headers(session, elsewhere), elsewhere


def test_no_token_left_from_an_earlier_job():
    """A job whose source has no token sends none, whatever the job before had."""
    first = "https://samr.example.gov.cn/catalog.ttl"
    dcat_harvest.before_download(first, _job(first, {"api_key": "TOKEN"}))
    other = "https://gat.example.gov.cn/catalog.ttl"
    for config in (None, {}, {"rdf_format": "turtle"}):
        dcat_harvest.before_download(other, _job(other, config))
        session = dcat_harvest.update_session(requests.Session())
        assert "Authorization" not in _headers(session, other)
        assert "Authorization" not in _headers(session, first)


def test_token_must_be_text():
    source = "https://samr.example.gov.cn/catalog.ttl"
    url, errors = dcat_harvest.before_download(source, _job(source, {"api_key": 42}))
    assert url == source and errors == ["api_key in the harvest source configuration must be a string"]
    assert "Authorization" not in _headers(dcat_harvest.update_session(requests.Session()),
                                           source)
