"""The govshare RDF vocabulary (namespace ``zwsj``) and the URIs of the catalogue's codes.

Pure constants and functions (rdflib, no CKAN): what the DCAT profile
(:mod:`.dcat_profile`) writes and parses, what the vocabulary file
(``exchange/rdf/zwsj.ttl``) documents and the SHACL shapes (``exchange/rdf/zwsj-shapes.ttl``)
check. Domain reference §D.1–D.3.

* Properties and classes: ``zwsj:`` = :data:`ZWSJ` (``https://w3id.org/govshare/zwsj#``).
* Codes (share type, grade, share mode, format, 信息项 data type, catalogue state) are SKOS
  concepts ``<https://w3id.org/govshare/zwsj/<scheme>/<code>>``, one scheme per field;
  the classification 类/项/目/细目 is the scheme ``classification`` with one concept per level,
  ``.../classification/1/01/001[/<detail>]``, each ``skos:broader`` the level above.
* Where DCAT-AP has a property with an EU vocabulary, that is used: the update cycle as
  ``dct:accrualPeriodicity`` (EU frequency), the open type as ``dct:accessRights`` (EU
  access right), the state as ``adms:status`` (EU dataset status). The share type is
  **never** ``dct:accessRights`` (that is opening to the public, not sharing between
  departments).
"""
from __future__ import annotations

from urllib.parse import quote, unquote

from rdflib import Namespace, URIRef

from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.lifecycle import tables

__all__ = [
    "ZWSJ", "ZWSJ_BASE", "HYDRA", "EU_FREQUENCY", "EU_ACCESS_RIGHT", "EU_DATASET_STATUS",
    "EU_FILE_TYPE", "EU_FILE_TYPES", "CODE_SCHEMES", "concept", "code_of", "scheme_uri", "classification_concepts",
    "classification_of", "frequency_uri", "update_cycle_of", "access_right_uri",
    "open_type_of", "status_uri", "WITHDRAWN", "PREFIXES",
]

ZWSJ_BASE = "https://w3id.org/govshare/zwsj"
#: properties and classes of the govshare vocabulary (政务数据, 1272 core metadata + DB14)
ZWSJ = Namespace(ZWSJ_BASE + "#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS_RIGHT = Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_DATASET_STATUS = Namespace("http://publications.europa.eu/resource/authority/dataset-status/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
#: resource formats that have a code of the EU file-type vocabulary (the others, e.g. OFD or a
#: database product, are described by their name: DCAT-AP wants a dct:MediaTypeOrExtent)
EU_FILE_TYPES = frozenset({
    "CSV", "DOC", "DOCX", "GEOJSON", "GML", "GZIP", "HTML", "JPEG", "JSON", "JSON_LD", "KML",
    "KMZ", "MDB", "ODS", "ODT", "PDF", "PNG", "PPT", "PPTX", "RAR", "RDF", "RDF_XML", "RTF",
    "SHP", "SQL", "TAR", "TIFF", "TSV", "TXT", "XLS", "XLSX", "XML", "ZIP",
})

#: the field (or 信息项 subfield) each concept scheme holds the codes of
CODE_SCHEMES: dict[str, str] = {
    fields.SHARE_TYPE: "shareType",
    fields.DATA_GRADE: "grade",
    fields.SHARE_MODE_CATEGORY: "shareMode",
    fields.SHARE_MODE_TYPE: "shareModeType",
    "format_category": "formatCategory",
    "format_type": "formatType",
    "data_type": "dataType",
    fields.CATALOGUE_STATE: "catalogueState",
}
CLASSIFICATION = "classification"

#: the prefixes every serialisation of the endpoint declares (the fragments use no other)
PREFIXES: dict[str, str] = {"zwsj": str(ZWSJ), "hydra": str(HYDRA)}


def scheme_uri(scheme: str) -> URIRef:
    return URIRef(f"{ZWSJ_BASE}/{scheme}")


def concept(scheme: str, code: str) -> URIRef:
    """The concept of ``code`` in ``scheme`` (a :data:`CODE_SCHEMES` value)."""
    return URIRef(f"{ZWSJ_BASE}/{scheme}/{quote(str(code), safe='')}")


def code_of(scheme: str, uri: object) -> str | None:
    """The code of a concept URI of ``scheme`` (``None``: not one of its concepts)."""
    prefix = f"{ZWSJ_BASE}/{scheme}/"
    text = str(uri)
    if not text.startswith(prefix) or "/" in text[len(prefix):]:
        return None
    return unquote(text[len(prefix):])


def classification_concepts(parts: list[str]) -> list[URIRef]:
    """The concepts of the classification levels ``[class, item, subitem, detail]`` given
    (leading non-empty parts), broadest first."""
    out: list[URIRef] = []
    path = ""
    for part in parts:
        if not part:
            break
        path += "/" + quote(str(part), safe="")
        out.append(URIRef(f"{ZWSJ_BASE}/{CLASSIFICATION}{path}"))
    return out


def classification_of(uri: object) -> list[str] | None:
    """The levels a classification concept names (``None``: not one)."""
    prefix = f"{ZWSJ_BASE}/{CLASSIFICATION}/"
    text = str(uri)
    if not text.startswith(prefix):
        return None
    return [unquote(p) for p in text[len(prefix):].split("/")]


# -- EU vocabularies (domain reference D.1, D.2) ---------------------------------------------------

def _eu_uri(namespace: Namespace, codes: dict[str, str], value: str | None) -> URIRef | None:
    code = codes.get(value or "")
    return namespace[code] if code else None


def _eu_value(namespace: Namespace, codes: dict[str, str], uri: object) -> str | None:
    text, prefix = str(uri), str(namespace)
    if not text.startswith(prefix):
        return None
    return {code: value for value, code in codes.items()}.get(text[len(prefix):])


def frequency_uri(update_cycle: str | None) -> URIRef | None:
    """The EU frequency of an update cycle (domain reference D.2)."""
    return _eu_uri(EU_FREQUENCY, vocab.UPDATE_CYCLE_EU_FREQUENCY, update_cycle)


def update_cycle_of(uri: object) -> str | None:
    return _eu_value(EU_FREQUENCY, vocab.UPDATE_CYCLE_EU_FREQUENCY, uri)


def access_right_uri(open_type: str | None) -> URIRef | None:
    """The EU access right of an open type (开放属性, domain reference D.1)."""
    return _eu_uri(EU_ACCESS_RIGHT, vocab.OPEN_TYPE_EU_ACCESS_RIGHT, open_type)


def open_type_of(uri: object) -> str | None:
    return _eu_value(EU_ACCESS_RIGHT, vocab.OPEN_TYPE_EU_ACCESS_RIGHT, uri)


#: an offline (下线) entry: a tombstone the platform retires (DB14 §7.3)
WITHDRAWN = EU_DATASET_STATUS["WITHDRAWN"]


def status_uri(catalogue_state: str | None) -> URIRef:
    """``adms:status`` of an entry: withdrawn once offline, completed while published."""
    return WITHDRAWN if catalogue_state == tables.OFFLINE else EU_DATASET_STATUS["COMPLETED"]
