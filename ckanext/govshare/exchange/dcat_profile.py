"""The ``govshare`` RDF profile of ckanext-dcat: a catalogue entry as DCAT-AP 3 and back.

Registered under the ``ckan.rdf.profiles`` entry point as ``govshare`` and used after
``euro_dcat_ap_3`` (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govshare``): the stock
profile writes what DCAT-AP knows of a CKAN dataset (title, description, keywords, dates,
distributions), this one corrects and completes it with the catalogue's fields (domain
reference §D.1–D.3; vocabulary in :mod:`.dcat_terms`):

=========================================  ==========================================================
信息资源代码 ``resource_code``              ``dct:identifier`` (replaces CKAN's id)
名称 / 摘要                                 ``dct:title`` / ``dct:description``, ``@zh``
提供方 + 统一社会信用代码                   ``dct:publisher`` → ``foaf:Organization`` with ``dct:identifier``;
                                            in a feed page also its units (``org:hasUnit``)
分类 类/项/目/细目                          ``dcat:theme`` → ``skos:Concept`` of ``zwsj/classification``
更新周期                                    ``dct:accrualPeriodicity`` (EU frequency); "other" text:
                                            ``zwsj:updateCycleOther``
开放属性 / 开放条件                         ``dct:accessRights`` (EU access right) / ``zwsj:openCondition``
目录状态                                    ``adms:status`` (withdrawn once offline) + ``zwsj:catalogueState``
共享类型, 条件, 范围, 不予共享依据          ``zwsj:shareType`` (concept), ``zwsj:shareCondition``,
                                            ``zwsj:shareScope`` (records), ``zwsj:noShareBasis``, ``zwsj:shareTypeReason``
共享方式 分类/类型, 格式 分类/类型          ``zwsj:shareMode``, ``zwsj:shareModeType``, ``zwsj:formatCategory``,
                                            ``zwsj:formatType`` (concepts), ``zwsj:formatOtherDescription``
数据分级, 涉密属性                          ``zwsj:dataGrade`` (concept), ``zwsj:classified``
信息项                                      ``zwsj:infoItem`` → ``zwsj:InfoItem`` records
提供方内部部门, 来源系统                    ``zwsj:providerUnit``, ``zwsj:sourceSystem``
关联资源代码, 关联业务事项                  ``zwsj:relatedResourceCodes``, ``zwsj:businessMatters`` (``rdf:List``)
=========================================  ==========================================================

Distributions: an entry's resources with ``zwsj:shareModeType`` and ``zwsj:position``; a file
also gets its ``dcat:downloadURL``. A ``not_shared`` entry and an offline one (a tombstone)
have none. A resource the reader may not reach (``govshare_hidden_resources`` of a redacted
dict, :func:`ckanext.govshare.permissions.redact`) is a distribution without its address:
``dcat:accessURL`` is the entry's request page (申请使用) and there is no download URL.

:meth:`GovshareDCATProfile.parse_dataset` reads the same back into the catalogue's fields, so
one govshare portal harvests another without loss (``tests/unit/test_dcat_profile.py``). It
also gives the entry's department as the source describes it — name, 统一社会信用代码 and the
internal units (处室) a feed page lists — under :data:`PUBLISHER`, for a harvester to find or
create the department (:mod:`.dcat_harvest`); it is no field of the entry and never stored.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import ORG

from ckanext.dcat.profiles import ADMS, DCAT, DCT, FOAF, RDF, RDFS, SKOS, XSD, RDFProfile
from ckanext.dcat.utils import catalog_uri, publisher_uri_organization_fallback
from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.exchange import dcat_terms as T
from ckanext.govshare.lifecycle import tables

__all__ = ["GovshareDCATProfile", "LANG", "PUBLISHER", "request_page", "publisher_ref",
           "add_publisher", "has_distributions", "TEXT_FIELDS", "CODE_FIELDS", "ENTRY_FIELDS",
           "RESOURCE_FIELDS"]

#: the language of the catalogue's texts (the 1272 catalogue is compiled in Chinese)
LANG = "zh"
#: the parsed entry's department as its source describes it: ``{"uri", "title", "uscc",
#: "units": [{"code", "name"}]}`` (for the harvester; not a field of the entry)
PUBLISHER = "govshare_publisher"

#: free-text fields: property (a literal ``@zh``)
TEXT_FIELDS: dict[str, URIRef] = {
    "format_other_desc": T.ZWSJ.formatOtherDescription,
    fields.SHARE_TYPE_REASON: T.ZWSJ.shareTypeReason,
    fields.SHARE_CONDITION: T.ZWSJ.shareCondition,
    fields.NO_SHARE_BASIS: T.ZWSJ.noShareBasis,
    fields.OPEN_CONDITION: T.ZWSJ.openCondition,
    "update_cycle_other": T.ZWSJ.updateCycleOther,
    "source_system": T.ZWSJ.sourceSystem,
}
#: codes kept as plain literals (the unit's code in its department)
PLAIN_FIELDS: dict[str, URIRef] = {fields.PROVIDER_UNIT: T.ZWSJ.providerUnit}
#: coded fields: property (a concept of the field's scheme, :data:`dcat_terms.CODE_SCHEMES`)
CODE_FIELDS: dict[str, URIRef] = {
    fields.SHARE_TYPE: T.ZWSJ.shareType,
    fields.DATA_GRADE: T.ZWSJ.dataGrade,
    fields.SHARE_MODE_CATEGORY: T.ZWSJ.shareMode,
    fields.SHARE_MODE_TYPE: T.ZWSJ.shareModeType,
    "format_category": T.ZWSJ.formatCategory,
    "format_type": T.ZWSJ.formatType,
    fields.CATALOGUE_STATE: T.ZWSJ.catalogueState,
}
#: list fields kept in order (``rdf:List`` of literals)
LIST_FIELDS: dict[str, URIRef] = {
    "related_resource_codes": T.ZWSJ.relatedResourceCodes,
    "business_matters": T.ZWSJ.businessMatters,
}
_CLASSIFICATION = (fields.CATALOG_CLASS, fields.CATALOG_ITEM, fields.CATALOG_SUBITEM,
                   fields.CATALOG_DETAIL)

# 信息项 and 共享范围 records: subfield -> (property, kind)
_INFO_ITEM = {
    "name": (T.ZWSJ.name, "text"),
    "name_en": (T.ZWSJ.nameEn, "plain"),
    "data_type": (T.ZWSJ.dataType, "data_type"),
    "length": (T.ZWSJ.length, "int"),
    "share_type": (T.ZWSJ.shareType, fields.SHARE_TYPE),
    "share_condition": (T.ZWSJ.shareCondition, "text"),
    "grade": (T.ZWSJ.dataGrade, fields.DATA_GRADE),
    "is_sensitive": (T.ZWSJ.sensitive, "bool"),
    "description": (DCT.description, "text"),
}
_SHARE_SCOPE = {
    "consumers": (T.ZWSJ.consumers, "text"),
    "regions": (T.ZWSJ.regions, "text"),
    "need_to_know": (T.ZWSJ.needToKnow, "text"),
    "usage": (T.ZWSJ.usage, "text"),
    "scenarios": (T.ZWSJ.scenarios, "text"),
    "agreement_required": (T.ZWSJ.agreementRequired, "bool"),
}
_RECORDS = {
    fields.INFO_ITEMS: (T.ZWSJ.infoItem, T.ZWSJ.InfoItem, _INFO_ITEM),
    fields.SHARE_SCOPE: (T.ZWSJ.shareScope, T.ZWSJ.ShareScope, _SHARE_SCOPE),
}

#: every catalogue field the profile writes and reads back (the round trip's contract);
#: ``owner_org`` is found again by the department's 统一社会信用代码 where it exists
ENTRY_FIELDS: tuple[str, ...] = (
    "title", "notes", fields.RESOURCE_CODE, fields.PROVIDER_CODE, fields.IS_CLASSIFIED,
    *_CLASSIFICATION, fields.UPDATE_CYCLE, fields.OPEN_TYPE, fields.ISSUED,
    *TEXT_FIELDS, *PLAIN_FIELDS, *CODE_FIELDS, *LIST_FIELDS, *_RECORDS,
)
#: the resource fields a distribution carries
RESOURCE_FIELDS: tuple[str, ...] = ("name", "description", "format", "url", fields.SHARE_MODE_TYPE)

_BOOL = {"true": True, "false": False}


def request_page(dataset_dict: dict[str, Any]) -> URIRef:
    """The entry's 申请使用 page (``govshare.access_entry_request``): where an outsider asks
    for data they may not reach."""
    site = (tk.config.get("ckan.site_url") or catalog_uri()).rstrip("/")
    root = (tk.config.get("ckan.root_path") or "").replace("{{LANG}}", "").rstrip("/")
    name = dataset_dict.get("name") or dataset_dict.get("id")
    return URIRef(f"{site}{root}/dataset/{name}/request")


def publisher_ref(dataset_dict: dict[str, Any]) -> URIRef | None:
    """The URI of the entry's department (``<catalog>/organization/<id>``)."""
    org_id = dataset_dict.get("owner_org")
    if not org_id:
        return None
    return URIRef(publisher_uri_organization_fallback({"organization": {"id": org_id}}))


def add_publisher(g: Any, ref: URIRef, title: str | None, uscc: str | None,
                  units: list[dict[str, Any]] | None = None) -> None:
    """A department as ``foaf:Organization`` with its 统一社会信用代码 as ``dct:identifier`` and
    its internal units (处室, which entries name by code: ``zwsj:providerUnit``) as W3C ORG
    ``org:OrganizationalUnit`` with ``skos:notation`` and ``skos:prefLabel``."""
    g.add((ref, RDF.type, FOAF.Agent))
    g.add((ref, RDF.type, FOAF.Organization))
    if title:
        g.add((ref, FOAF.name, Literal(title, lang=LANG)))
    if uscc:
        g.add((ref, DCT.identifier, Literal(uscc)))
    for unit in units or []:
        if not unit.get("code"):
            continue
        node = BNode()
        g.add((ref, ORG.hasUnit, node))
        g.add((node, RDF.type, ORG.OrganizationalUnit))
        g.add((node, SKOS.notation, Literal(str(unit["code"]))))
        if unit.get("name"):
            g.add((node, SKOS.prefLabel, Literal(str(unit["name"]), lang=LANG)))


def _department(g: Any, ref: Any) -> dict[str, Any]:
    """What :func:`add_publisher` wrote, read back (:data:`PUBLISHER`)."""
    units = []
    for node in g.objects(ref, ORG.hasUnit):
        code = g.value(node, SKOS.notation)
        if code is not None:
            name = g.value(node, SKOS.prefLabel)
            units.append({"code": str(code), "name": str(name) if name is not None else ""})
    title, uscc = g.value(ref, FOAF.name), g.value(ref, DCT.identifier)
    return {"uri": str(ref) if isinstance(ref, URIRef) else None,
            "title": str(title) if title is not None else None,
            "uscc": str(uscc) if uscc is not None else None,
            "units": sorted(units, key=lambda u: u["code"])}


def _text(value: Any) -> Literal:
    return Literal(str(value), lang=LANG)


class GovshareDCATProfile(RDFProfile):
    """The catalogue entry's fields on top of ``euro_dcat_ap_3`` (see the module docstring)."""

    # -- CKAN → RDF --------------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        if not dataset_dict.get(fields.CATALOGUE_STATE):
            return  # not a catalogue entry: the stock profiles' answer stands
        g = self.g
        for prefix, uri in T.PREFIXES.items():
            g.bind(prefix, uri)
        for predicate in (DCT.identifier, DCT.title, DCT.description, DCT.issued):
            g.remove((dataset_ref, predicate, None))
        if dataset_dict.get("title"):
            g.add((dataset_ref, DCT.title, _text(dataset_dict["title"])))
        if dataset_dict.get("notes"):
            g.add((dataset_ref, DCT.description, _text(dataset_dict["notes"])))
        if dataset_dict.get(fields.RESOURCE_CODE):
            g.add((dataset_ref, DCT.identifier, Literal(dataset_dict[fields.RESOURCE_CODE])))
        if dataset_dict.get(fields.ISSUED):
            self._add_date_triple(dataset_ref, DCT.issued, dataset_dict[fields.ISSUED])
        g.add((dataset_ref, DCAT.landingPage, URIRef(
            request_page(dataset_dict)[:-len("/request")])))
        self._publisher(dataset_dict, dataset_ref)
        self._classification(dataset_dict, dataset_ref)
        self._coded(dataset_dict, dataset_ref)
        for key, predicate in TEXT_FIELDS.items():
            if dataset_dict.get(key):
                g.add((dataset_ref, predicate, _text(dataset_dict[key])))
        for key, predicate in PLAIN_FIELDS.items():
            if dataset_dict.get(key):
                g.add((dataset_ref, predicate, Literal(str(dataset_dict[key]))))
        for key, predicate in LIST_FIELDS.items():
            values = [v for v in (dataset_dict.get(key) or []) if v]
            if values:
                head = BNode()
                Collection(g, head, [Literal(v) for v in values])
                g.add((dataset_ref, predicate, head))
        for key, (predicate, rdf_class, subfields) in _RECORDS.items():
            for position, record in enumerate(dataset_dict.get(key) or []):
                node = BNode()
                g.add((dataset_ref, predicate, node))
                g.add((node, RDF.type, rdf_class))
                g.add((node, T.ZWSJ.position, Literal(position)))
                for sub, (sub_predicate, kind) in subfields.items():
                    value = record.get(sub)
                    if value not in (None, ""):
                        g.add((node, sub_predicate, self._value(kind, value)))
        self._distributions(dataset_dict, dataset_ref)

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        for old in list(g.objects(dataset_ref, DCT.publisher)):
            g.remove((dataset_ref, DCT.publisher, old))
            g.remove((old, None, None))
        ref = publisher_ref(dataset_dict)
        if ref is None:
            return
        g.add((dataset_ref, DCT.publisher, ref))
        org = dataset_dict.get("organization") or {}
        add_publisher(g, ref, org.get("title"), dataset_dict.get(fields.PROVIDER_CODE))

    def _classification(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        parts = [str(dataset_dict.get(k) or "") for k in _CLASSIFICATION]
        concepts = T.classification_concepts(parts)
        scheme = T.scheme_uri(T.CLASSIFICATION)
        for level, uri in enumerate(concepts):
            g.add((uri, RDF.type, SKOS.Concept))
            g.add((uri, SKOS.inScheme, scheme))
            g.add((uri, SKOS.notation, Literal("".join(parts[:level + 1]))))
            label = self._classification_label(parts, level)
            g.add((uri, SKOS.prefLabel, Literal(label, lang=LANG)))
            if level:
                g.add((uri, SKOS.broader, concepts[level - 1]))
        if concepts:
            g.add((dataset_ref, DCAT.theme, concepts[-1]))

    @staticmethod
    def _classification_label(parts: list[str], level: int) -> str:
        if level == 0:
            term = vocab.lookup(vocab.CATALOG_CLASSES, parts[0])
            return term.zh if term else parts[0]
        if level == 1:
            item = vocab.catalog_item(parts[0], parts[1])
            return item.zh if item else parts[1]
        return parts[level]

    def _coded(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        for key, predicate in CODE_FIELDS.items():
            if dataset_dict.get(key):
                g.add((dataset_ref, predicate,
                       T.concept(T.CODE_SCHEMES[key], dataset_dict[key])))
        g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        frequency = T.frequency_uri(dataset_dict.get(fields.UPDATE_CYCLE))
        if frequency is not None:
            g.add((dataset_ref, DCT.accrualPeriodicity, frequency))
            g.add((frequency, RDF.type, DCT.Frequency))
        access = T.access_right_uri(dataset_dict.get(fields.OPEN_TYPE))
        g.remove((dataset_ref, DCT.accessRights, None))
        if access is not None:
            g.add((dataset_ref, DCT.accessRights, access))
            g.add((access, RDF.type, DCT.RightsStatement))
        g.add((dataset_ref, ADMS.status, T.status_uri(dataset_dict.get(fields.CATALOGUE_STATE))))
        if dataset_dict.get(fields.IS_CLASSIFIED):
            g.add((dataset_ref, T.ZWSJ.classified,
                   self._value("bool", dataset_dict[fields.IS_CLASSIFIED])))

    @staticmethod
    def _value(kind: str, value: Any) -> Any:
        if kind == "text":
            return _text(value)
        if kind == "int":
            return Literal(int(value), datatype=XSD.integer)
        if kind == "bool":
            return Literal(_BOOL.get(str(value).lower(), bool(value)), datatype=XSD.boolean)
        if kind == "data_type":
            return T.concept("dataType", value)
        if kind in T.CODE_SCHEMES:
            return T.concept(T.CODE_SCHEMES[kind], value)
        return Literal(str(value))

    def _distributions(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Complete the stock distributions; none for a not-shared or offline entry; the
        hidden resources of a redacted dict without their address."""
        g = self.g
        if not has_distributions(dataset_dict):
            self.remove_distributions(dataset_ref)
            return
        by_id = {r.get("id"): r for r in dataset_dict.get("resources") or []}
        for dist in list(g.objects(dataset_ref, DCAT.distribution)):
            resource = next((r for rid, r in by_id.items()
                             if rid and str(dist).endswith("/resource/" + rid)), None)
            if resource is None:
                continue
            g.remove((dist, DCT.title, None))
            g.remove((dist, DCT.description, None))
            if resource.get("name"):
                g.add((dist, DCT.title, _text(resource["name"])))
            if resource.get("description"):
                g.add((dist, DCT.description, _text(resource["description"])))
            self._format(dist, resource.get("format"))
            g.add((dist, T.ZWSJ.position, Literal(int(resource.get("position") or 0))))
            if resource.get(fields.SHARE_MODE_TYPE):
                g.add((dist, T.ZWSJ.shareModeType,
                       T.concept("shareModeType", resource[fields.SHARE_MODE_TYPE])))
            url = resource.get("url")
            if url and (resource.get(fields.SHARE_MODE_TYPE) == "file"
                        or resource.get("url_type") == "upload"):
                g.add((dist, DCAT.downloadURL, URIRef(url)))
        self.add_hidden_distributions(dataset_dict, dataset_ref,
                                      dataset_dict.get("govshare_hidden_resources") or [])

    def _format(self, dist: Any, fmt: str | None) -> None:
        """``dct:format`` as DCAT-AP 3 wants it, a ``dct:MediaTypeOrExtent``: the EU file type
        when the format has one, else a node labelled with the format's name."""
        g = self.g
        for old in list(g.objects(dist, DCT["format"])):
            g.remove((dist, DCT["format"], old))
        if not fmt:
            return
        code = str(fmt).strip().upper()
        node = T.EU_FILE_TYPE[code] if code in T.EU_FILE_TYPES else BNode()
        g.add((dist, DCT["format"], node))
        g.add((node, RDF.type, DCT.MediaTypeOrExtent))
        g.add((node, RDFS.label, Literal(str(fmt))))

    def remove_distributions(self, dataset_ref: URIRef) -> None:
        g = self.g
        for dist in list(g.objects(dataset_ref, DCAT.distribution)):
            g.remove((dataset_ref, DCAT.distribution, dist))
            for _, _, obj in list(g.triples((dist, None, None))):
                if isinstance(obj, BNode):
                    g.remove((obj, None, None))
            g.remove((dist, None, None))

    def add_hidden_distributions(self, dataset_dict: dict[str, Any], dataset_ref: URIRef,
                                 hidden: list[dict[str, Any]]) -> None:
        """Distributions the reader may not reach: name, format, share mode and position,
        ``dcat:accessURL`` the request page, no download URL, no resource id (DB14 §9.1)."""
        if not has_distributions(dataset_dict):
            return
        g = self.g
        access = request_page(dataset_dict)
        for index, resource in enumerate(hidden):
            position = int(resource.get("position") if resource.get("position") is not None
                           else index)
            dist = URIRef(f"{dataset_ref}/distribution/{position}")
            g.add((dataset_ref, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCAT.accessURL, access))
            g.add((access, RDF.type, RDFS.Resource))
            g.add((dist, T.ZWSJ.position, Literal(position)))
            g.add((dist, T.ZWSJ.accessRestricted, Literal(True)))
            if resource.get("name"):
                g.add((dist, DCT.title, _text(resource["name"])))
            self._format(dist, resource.get("format"))
            if resource.get(fields.SHARE_MODE_TYPE):
                g.add((dist, T.ZWSJ.shareModeType,
                       T.concept("shareModeType", resource[fields.SHARE_MODE_TYPE])))

    # -- RDF → CKAN --------------------------------------------------------------------------

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        g = self.g
        state = g.value(dataset_ref, T.ZWSJ.catalogueState)
        if state is None:
            return dataset_dict  # not a govshare entry: the stock profiles' answer stands
        mapped = {"identifier", "frequency", "access_rights", "theme", "issued", "modified",
                  "homepage"} | {f"publisher_{k}" for k in
                                 ("uri", "name", "email", "url", "type", "identifier")}
        dataset_dict["extras"] = [e for e in dataset_dict.get("extras") or []
                                  if e.get("key") not in mapped]
        for key, predicate in (("title", DCT.title), ("notes", DCT.description)):
            value = self._object_value(dataset_ref, predicate)
            if value:
                dataset_dict[key] = value
        identifier = g.value(dataset_ref, DCT.identifier)
        if identifier is not None:
            dataset_dict[fields.RESOURCE_CODE] = str(identifier)
        issued = g.value(dataset_ref, DCT.issued)
        if issued is not None:
            dataset_dict[fields.ISSUED] = str(issued)
        publisher = g.value(dataset_ref, DCT.publisher)
        if publisher is not None:
            dataset_dict[PUBLISHER] = _department(g, publisher)
            if dataset_dict[PUBLISHER]["uscc"]:
                dataset_dict[fields.PROVIDER_CODE] = dataset_dict[PUBLISHER]["uscc"]
        for theme in g.objects(dataset_ref, DCAT.theme):
            levels = T.classification_of(theme)
            if levels:
                for key, value in zip(_CLASSIFICATION, levels):
                    dataset_dict[key] = value
        for key, predicate in CODE_FIELDS.items():
            value = g.value(dataset_ref, predicate)
            code = T.code_of(T.CODE_SCHEMES[key], value) if value is not None else None
            if code:
                dataset_dict[key] = code
        cycle = T.update_cycle_of(g.value(dataset_ref, DCT.accrualPeriodicity))
        if cycle:
            dataset_dict[fields.UPDATE_CYCLE] = cycle
        open_type = T.open_type_of(g.value(dataset_ref, DCT.accessRights))
        if open_type:
            dataset_dict[fields.OPEN_TYPE] = open_type
        classified = g.value(dataset_ref, T.ZWSJ.classified)
        if classified is not None:
            dataset_dict[fields.IS_CLASSIFIED] = "true" if classified.toPython() else "false"
        for key, predicate in {**TEXT_FIELDS, **PLAIN_FIELDS}.items():
            value = g.value(dataset_ref, predicate)
            if value is not None:
                dataset_dict[key] = str(value)
        for key, predicate in LIST_FIELDS.items():
            head = g.value(dataset_ref, predicate)
            dataset_dict[key] = [str(v) for v in Collection(g, head)] if head is not None else []
        for key, (predicate, _class, subfields) in _RECORDS.items():
            records = []
            for node in g.objects(dataset_ref, predicate):
                record = {}
                for sub, (sub_predicate, kind) in subfields.items():
                    value = g.value(node, sub_predicate)
                    if value is not None:
                        record[sub] = self._parse_value(kind, value)
                position = g.value(node, T.ZWSJ.position)
                records.append((int(position) if position is not None else 0, record))
            if records:
                dataset_dict[key] = [r for _, r in sorted(records, key=lambda pr: pr[0])]
        self._parse_resources(dataset_dict)
        return dataset_dict

    @staticmethod
    def _parse_value(kind: str, value: Any) -> Any:
        if kind == "int":
            return int(value)
        if kind == "bool":
            return "true" if value.toPython() is True else "false"
        if kind == "data_type":
            return T.code_of("dataType", value)
        if kind in T.CODE_SCHEMES:
            return T.code_of(T.CODE_SCHEMES[kind], value)
        return str(value)

    def _parse_resources(self, dataset_dict: dict[str, Any]) -> None:
        g = self.g
        ordered = []
        for resource in dataset_dict.get("resources") or []:
            dist = URIRef(resource.get("distribution_ref") or resource.get("uri") or "")
            mode = g.value(dist, T.ZWSJ.shareModeType)
            if mode is not None:
                resource[fields.SHARE_MODE_TYPE] = T.code_of("shareModeType", mode)
            fmt = g.value(dist, DCT["format"])
            label = g.value(fmt, RDFS.label) if fmt is not None else None
            if label is not None or isinstance(fmt, Literal):
                resource["format"] = str(label if label is not None else fmt)
            position = g.value(dist, T.ZWSJ.position)
            ordered.append((int(position) if position is not None else len(ordered), resource))
        dataset_dict["resources"] = [r for _, r in sorted(ordered, key=lambda pr: pr[0])]


def has_distributions(dataset_dict: dict[str, Any]) -> bool:
    """Whether the entry has distributions at all: not when not shared (DB14 §9.1 不予共享:
    nothing to ask for) or offline (a tombstone, DB14 §7.3)."""
    return (dataset_dict.get(fields.SHARE_TYPE) != "not_shared"
            and dataset_dict.get(fields.CATALOGUE_STATE) != tables.OFFLINE)

