"""Harvesting a govshare portal with ckanext-dcat's RDF harvester (``dcat_rdf_harvester``).

The provincial platform, itself a govshare portal, harvests a department's ``/catalog.ttl``
(or ``.jsonld``, ``.xml``; :mod:`.dcat_feed`) with ckanext-harvest and ckanext-dcat's
``dcat_rdf_harvester`` (DB14 §7.5 目录发布, §9.3 统一平台交换). The ``govshare_dcat`` plugin
implements ckanext-dcat's ``IDCATRDFHarvester`` with these functions:

* **The platform's API token.** The harvest source's configuration carries it as ckanext-harvest's
  CKAN harvester takes it, ``{"api_key": "TOKEN"}`` (:func:`before_download` reads it for each
  page); every request of the job sends it in the ``Authorization`` header
  (:func:`update_session`), to the source's own host only — a ``hydra:next`` link elsewhere
  never gets it.
* **The department.** A copy belongs to the department with the 统一社会信用代码 of its
  ``dct:publisher`` (the profile's :data:`.dcat_profile.PUBLISHER`). A department the platform
  does not have is created through ``organization_create`` from the publisher's name, code and
  internal units, as ckanext-harvest's ``remote_orgs: create`` brings a department along
  (:func:`prepare_copy`, before each create and update). A new copy is named after its
  resource code, as its source names entries.

What the harvested copy then is, is not decided here: ``package_create`` and ``package_update``
of a harvested copy give it its source's ``catalogue_state`` and ``issued`` through the sysadmin
import path (:mod:`ckanext.govshare.lifecycle.harvested`); a tombstone (``adms:status``
withdrawn, no distribution) arrives as ``offline`` without resources, so the copy is retired
with no data; an entry no longer in the source's feed is deleted, as ckanext-dcat deletes it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
import requests

from ckanext.govshare.catalogue import codes, fields
from ckanext.govshare.exchange import dcat_profile, queries

__all__ = ["API_KEY", "before_download", "update_session", "prepare_copy", "department_of"]

#: the harvest source configuration's key for the API token (as the CKAN harvester's)
API_KEY = "api_key"


@dataclass
class _Credentials:
    """The token of the job being gathered and the origin it may be sent to."""

    token: str | None = None
    origin: str | None = None


#: ckanext-dcat asks for a session (``update_session``) without saying for which job: the job
#: announces itself just before, in ``before_download`` (a gather runs one job at a time)
_job = _Credentials()


def _origin(url: str | None) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class _TokenAuth(requests.auth.AuthBase):
    """``Authorization: TOKEN`` on requests to ``origin`` only."""

    def __init__(self, token: str, origin: str) -> None:
        self.token, self.origin = token, origin

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if _origin(request.url) == self.origin:
            request.headers["Authorization"] = self.token
        return request


def before_download(url: str, harvest_job: Any) -> tuple[str, list[str]]:
    """Take the job's token from its source's configuration (``IDCATRDFHarvester``)."""
    _job.token, _job.origin = None, None
    try:
        config = json.loads(harvest_job.source.config or "{}")
    except ValueError:
        config = {}
    token = config.get(API_KEY) if isinstance(config, dict) else None
    if token is not None and not isinstance(token, str):
        return url, [f"{API_KEY} in the harvest source configuration must be a string"]
    if token:
        _job.token, _job.origin = token, _origin(harvest_job.source.url)
    return url, []


def update_session(session: requests.Session) -> requests.Session:
    """Send the job's token with its requests (``IDCATRDFHarvester``)."""
    if _job.token and _job.origin:
        session.auth = _TokenAuth(_job.token, _job.origin)
    return session


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def department_of(publisher: dict[str, Any]) -> str | None:
    """The id of the department with the publisher's 统一社会信用代码, created from the
    publisher's name, code and units when the platform has none (``None``: no code)."""
    uscc = codes.normalize_uscc(publisher.get("uscc"))
    if not uscc:
        return None
    found = queries.department_by_uscc(uscc)
    if found:
        return found
    created = tk.get_action("organization_create")({"user": _site_user()}, {
        "name": uscc.lower(), "title": publisher.get("title") or uscc, "uscc": uscc,
        "units": [{"code": u["code"], "name": u.get("name") or u["code"]}
                  for u in publisher.get("units") or []],
    })
    return created["id"]


def prepare_copy(dataset_dict: dict[str, Any], *, new: bool) -> None:
    """Before a harvested entry is created (``new``) or updated (``IDCATRDFHarvester``): its
    department by its publisher's 统一社会信用代码; a new copy is named as its source names
    entries, after its resource code (the harvester's name from a Chinese title is ``__``),
    unless the name is taken. A dataset that is no catalogue entry is left alone."""
    publisher = dataset_dict.pop(dcat_profile.PUBLISHER, None)
    if not dataset_dict.get(fields.CATALOGUE_STATE):
        return
    code = str(dataset_dict.get(fields.RESOURCE_CODE) or "")
    if new and code:
        name = codes.slug_from_resource_code(code)
        if model.Package.get(name) is None:
            dataset_dict["name"] = name
    org_id = department_of(publisher) if publisher else None
    if org_id:
        dataset_dict[fields.OWNER_ORG] = org_id
