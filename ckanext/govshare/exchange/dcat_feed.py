"""The harvest endpoint's feed: each entry's DCAT fragments kept current, pages composed from them.

Serialising a dataset with rdflib costs milliseconds (ckanext-dcat's endpoint pays it for every
dataset of every page); the provincial platform harvests the whole catalogue again and again.
So each catalogue entry that is or was published is serialised **when it is written**, in the
transaction that writes it (:func:`refresh_entry`, from the index hook every dataset write
passes through: publication, approved revisions, edits without review, going offline, resource
changes, imports), and a page of ``/catalog.{ttl,jsonld,xml}`` only reads rows and
concatenates text (:func:`page`).

What a fragment holds (``govshare_dcat_fragment``, :mod:`ckanext.govshare.model.harvest`), per
format: ``meta`` — the entry without its department's description and without distributions;
``data`` — its distributions with their addresses; ``guarded`` — the same distributions as
:func:`ckanext.govshare.permissions.redact` leaves them for a reader who may not reach the data
(name, format and position; the request page as access URL). Which of ``data`` and ``guarded``
a reader gets is decided for each page by :func:`ckanext.govshare.permissions.data_visible_ids`
— the reader's authorizations change without any fragment changing — and the departments
(``dct:publisher``: title, 统一社会信用代码 and internal units) are described from their current
rows. An offline entry is a tombstone (``adms:status`` withdrawn, no distribution); a
``not_shared`` entry has no distribution; drafts and entries in review have no fragment at all.

Paging is keyset paging on ``seq``, the entry's place in the feed given when it is first
published and never changed: an entry written during a harvest keeps its place (no entry twice,
none skipped) and an entry published during it comes after every other. ``modified_since``
keeps the entries whose current version is at least that recent.
"""
from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from dateutil.parser import parse as parse_date
from rdflib import BNode, Graph, Literal, URIRef
from sqlalchemy.dialects import postgresql

from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF, XSD
from ckanext.dcat.utils import catalog_uri, dataset_uri
from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import roles
from ckanext.govshare.exchange import dcat_profile
from ckanext.govshare.exchange import dcat_terms as T
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.model import base
from ckanext.govshare.model.harvest import FORMATS, DcatFragment, HarvestDelivery

__all__ = ["PROFILES", "FEED_STATES", "FORMAT_ALIASES", "Page", "refresh_entry", "forget_entry",
           "refresh_stale", "rebuild_all", "page", "fragments_of", "harvest_user",
           "record_harvest", "delivery_of", "department_deliveries", "parse_cursor", "parse_since",
           "index_hook", "graph_from_dataset", "fragment_texts", "document", "known_prefixes"]

#: the profiles the fragments are written with (``ckanext.dcat.rdf.profiles`` of a portal
#: that enables ``govshare_dcat``; the endpoint serves no other)
PROFILES = ("euro_dcat_ap_3", "govshare")
#: the catalogue states an entry has a fragment in: published, awaiting offline review, and
#: offline (a tombstone) — what every logged-in user of the portal sees (DB14 §7.3, §7.5)
FEED_STATES = permissions.VISIBLE_STATES
#: endpoint format → stored format
FORMAT_ALIASES = {"ttl": "ttl", "n3": "ttl", "jsonld": "jsonld", "xml": "xml", "rdf": "xml"}
_RDFLIB = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml"}
_CURSOR = re.compile(r"^after-(\d{1,18})$")


# -- writing the fragments -----------------------------------------------------------------------


_PROFILE_CLASSES: list[Any] = []


def _profiles() -> list[Any]:
    """The profile classes of :data:`PROFILES`, looked up once (ckanext-dcat's serializer reads
    the entry points again for each instance: 40 ms)."""
    if not _PROFILE_CLASSES:
        _PROFILE_CLASSES.extend(RDFSerializer(profiles=list(PROFILES))._profiles)
    return _PROFILE_CLASSES


def graph_from_dataset(pkg_dict: dict[str, Any]) -> tuple[Graph, URIRef]:
    """What ``RDFSerializer.graph_from_dataset`` builds, with the profiles looked up once (and
    only the namespaces the profiles bind: rdflib's default set costs a bind each)."""
    g = Graph(bind_namespaces="core")
    ref = URIRef(dataset_uri(pkg_dict))
    for profile_class in _profiles():
        profile_class(g).graph_from_dataset(pkg_dict, ref)
    return g, ref


def _split(text: str, fmt: str) -> tuple[dict[str, str], str]:
    """A serialised graph as (its namespace declarations, its body without them)."""
    if fmt == "ttl":
        prefixes, body = {}, []
        for line in text.splitlines():
            match = re.match(r"^@prefix (\S*): <([^>]*)> \.$", line)
            if match:
                prefixes[match.group(1)] = match.group(2)
            else:
                body.append(line)
        return prefixes, "\n".join(body).strip()
    if fmt == "jsonld":
        nodes = json.loads(text) if text.strip() else []
        if isinstance(nodes, dict):
            nodes = nodes.get("@graph", [nodes])
        return {}, ",".join(json.dumps(n, ensure_ascii=False, separators=(",", ":"))
                            for n in nodes)
    start = text.find("<rdf:RDF")
    if start < 0:  # an empty graph: <rdf:RDF .../> is not written at all by some versions
        return {}, ""
    head_end = text.find(">", start)
    head = text[start:head_end]
    if head.endswith("/"):
        return {}, ""
    prefixes = dict(re.findall(r'xmlns:([\w.-]+)="([^"]*)"', head))
    body = text[head_end + 1:text.rfind("</rdf:RDF>")]
    return prefixes, body.strip()


def _declared(g: Graph) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in g.namespaces() if prefix}


def _serialize(g: Graph, fmt: str, known: dict[str, str]) -> str:
    """``g`` in ``fmt`` without its namespace declarations; every prefix it uses must be one
    of ``known`` (the page declares those once)."""
    prefixes, body = _split(g.serialize(format=_RDFLIB[fmt]), fmt)
    unknown = {p: ns for p, ns in prefixes.items() if known.get(p) != ns}
    if unknown:
        raise RuntimeError(f"DCAT fragment uses undeclared prefixes: {unknown}")
    return body


def _fragment_text(g: Graph, fmt: str, known: dict[str, str]) -> str:
    """A fragment as stored: JSON-LD nodes with compact IRIs, Turtle as N-Triples (valid
    Turtle, a tenth of the pretty printer's cost), RDF/XML descriptions."""
    if fmt == "jsonld":
        return _jsonld(g, known)
    if fmt == "ttl":
        return g.serialize(format="nt").strip()
    return _serialize(g, fmt, known)


def _subgraph(g: Graph, roots: Iterable[Any], stop: set[Any]) -> Graph:
    """The triples of ``roots`` and of the nodes they lead to (blank nodes and described
    resources), not crossing into ``stop``."""
    out = Graph(namespace_manager=g.namespace_manager)
    seen: set[Any] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen or node in stop:
            continue
        seen.add(node)
        for s, p, o in g.triples((node, None, None)):
            out.add((s, p, o))
            if isinstance(o, (BNode, URIRef)) and o not in seen:
                todo.append(o)
    return out


def fragment_texts(pkg_dict: dict[str, Any]) -> dict[str, str]:
    """The nine texts of an entry's fragment row (``{variant}_{format}``)."""
    entry = copy.deepcopy(pkg_dict)
    entry.pop("organization", None)  # the department is described per page, from its row
    g, ref = graph_from_dataset(entry)
    known = _declared(g)
    publisher = dcat_profile.publisher_ref(entry)
    dists = list(g.objects(ref, DCAT.distribution))
    data = _subgraph(g, dists, stop={ref})
    for dist in dists:
        data.add((ref, DCAT.distribution, dist))
    meta = Graph(namespace_manager=g.namespace_manager)
    for triple in g:
        if triple not in data and triple[0] != publisher:
            meta.add(triple)
    # what permissions.redact leaves of the entry for a reader who may not reach its data
    hidden = permissions.redact(None, copy.deepcopy(entry)).get("govshare_hidden_resources") or []
    guarded = Graph(namespace_manager=g.namespace_manager)
    dcat_profile.GovshareDCATProfile(guarded).add_hidden_distributions(entry, ref, hidden)
    texts = {}
    for part, graph in (("meta", meta), ("data", data), ("guarded", guarded)):
        for fmt in FORMATS:
            texts[f"{part}_{fmt}"] = _fragment_text(graph, fmt, known) if len(graph) else ""
    return texts


def _aware(value: Any) -> datetime.datetime:
    moment = value if isinstance(value, datetime.datetime) else parse_date(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def refresh_entry(pkg_dict: dict[str, Any]) -> None:
    """Keep ``pkg_dict``'s fragment current (in the caller's transaction): written while the
    entry is published, awaiting offline review or offline; removed otherwise."""
    entry_id = pkg_dict.get("id")
    state = pkg_dict.get(fields.CATALOGUE_STATE)
    if not entry_id or state is None:
        return  # not a catalogue entry
    if state not in FEED_STATES or pkg_dict.get("state") != "active":
        forget_entry(entry_id)
        return
    texts = fragment_texts(pkg_dict)
    values = {"owner_org": pkg_dict.get("owner_org"), "state": state,
              "modified": _aware(pkg_dict["metadata_modified"]), "built": base.now(), **texts}
    stmt = postgresql.insert(DcatFragment.__table__).values(
        package_id=entry_id, **values)
    model.Session.execute(stmt.on_conflict_do_update(index_elements=["package_id"], set_=values))


def index_hook(index_dict: dict[str, Any]) -> None:
    """``before_dataset_index``: every write of a dataset passes here, in its transaction, with
    the dict ``package_show`` answers (``validated_data_dict``)."""
    state = index_dict.get(fields.CATALOGUE_STATE)
    if state is None:
        return
    if state not in FEED_STATES or index_dict.get("state") != "active":
        forget_entry(index_dict["id"])
        return
    refresh_entry(json.loads(index_dict["validated_data_dict"]))


def forget_entry(entry_id: str) -> None:
    """No fragment for the entry any more (deleted, or back to a state the feed never shows)."""
    model.Session.execute(sa.delete(DcatFragment).where(DcatFragment.package_id == entry_id))


_STALE = sa.text("""
    SELECT p.id FROM package p
    LEFT JOIN govshare_dcat_fragment f ON f.package_id = p.id
    WHERE p.state = 'active' AND p.extras ->> :state_key = ANY(:states)
      AND (f.package_id IS NULL OR f.modified <> (p.metadata_modified AT TIME ZONE 'UTC'))
""")
_ORPHANS = sa.text("""
    DELETE FROM govshare_dcat_fragment f WHERE NOT EXISTS (
        SELECT 1 FROM package p WHERE p.id = f.package_id AND p.state = 'active'
          AND p.extras ->> :state_key = ANY(:states))
""")


def refresh_stale() -> int:
    """Bring the fragments in line with the entries written while ``govshare_dcat`` was not
    loaded (or before it existed): build the missing and outdated ones, drop those of entries
    deleted or no longer in the feed (``ckan govshare dcat refresh``; a scan of every dataset,
    ~0.1 s for 20 000: never on a harvest's path). Returns how many were built."""
    params = {"state_key": fields.CATALOGUE_STATE, "states": list(FEED_STATES)}
    model.Session.execute(_ORPHANS, params)
    ids = [r[0] for r in model.Session.execute(_STALE, params)]
    _build(ids)
    model.Session.commit()
    return len(ids)


def rebuild_all(echo: Any = None) -> int:
    """Rebuild every fragment (after a change of ``ckan.site_url`` or of the profiles)."""
    params = {"state_key": fields.CATALOGUE_STATE, "states": list(FEED_STATES)}
    model.Session.execute(_ORPHANS, params)
    ids = [r[0] for r in model.Session.execute(sa.text(
        "SELECT id FROM package WHERE state = 'active' AND extras ->> :state_key = ANY(:states)"
        " ORDER BY metadata_created"), params)]
    for start in range(0, len(ids), 200):
        _build(ids[start:start + 200])
        model.Session.commit()
        if echo:
            echo(f"{min(start + 200, len(ids))}/{len(ids)}")
    return len(ids)


def _build(ids: list[str]) -> None:
    show = tk.get_action("package_show")
    for entry_id in ids:
        refresh_entry(show({"ignore_auth": True, "use_cache": False}, {"id": entry_id}))


# -- reading a page ------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of the feed as served: the text and what was in it."""

    body: str
    entries: list[tuple[str, str | None, datetime.datetime]]  # (id, owner_org, modified)
    next_after: int | None
    total: int


def parse_cursor(page_value: Any) -> int:
    """The ``page`` parameter as the ``seq`` to continue after (``1`` or empty: the start).

    :raises tk.ValidationError: anything else (numbered pages would repeat and skip entries
        while the catalogue changes: follow ``hydra:next``)
    """
    if page_value in (None, "", 1, "1"):
        return 0
    match = _CURSOR.match(str(page_value))
    if not match:
        raise tk.ValidationError({"page": [tk._(
            "Invalid page: follow the hydra:next link of the previous page")]})
    return int(match.group(1))


def parse_since(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return _aware(parse_date(str(value)))
    except (ValueError, OverflowError):
        raise tk.ValidationError({"modified_since": [tk._(
            "Wrong date format: use ISO-8601")]}) from None


def fragments_of(after: int, since: datetime.datetime | None, limit: int) -> list[Any]:
    """Up to ``limit`` places of the feed after ``after`` (``package_id``, ``seq``,
    ``owner_org``, ``modified``), oldest place first."""
    q = (model.Session.query(DcatFragment.package_id, DcatFragment.seq, DcatFragment.owner_org,
                             DcatFragment.modified)
         .filter(DcatFragment.seq > after))
    if since is not None:
        q = q.filter(DcatFragment.modified >= since)
    return q.order_by(DcatFragment.seq).limit(limit).all()


def _texts(fmt: str, ids: list[str], with_data: set[str]) -> dict[str, tuple[str, str]]:
    """Each entry's ``meta`` text and the distributions its reader gets (``data`` or
    ``guarded``), in ``fmt``; only those are read."""
    data, guarded = (getattr(DcatFragment, f"{part}_{fmt}") for part in ("data", "guarded"))
    rows = model.Session.query(
        DcatFragment.package_id, getattr(DcatFragment, f"meta_{fmt}"),
        sa.case((DcatFragment.package_id.in_(list(with_data) or [""]), data), else_=guarded),
    ).filter(DcatFragment.package_id.in_(ids))
    return {r[0]: (r[1], r[2]) for r in rows}


def _total(since: datetime.datetime | None) -> int:
    q = model.Session.query(sa.func.count(DcatFragment.package_id))
    if since is not None:
        q = q.filter(DcatFragment.modified >= since)
    return q.scalar() or 0


def _departments(org_ids: set[str]) -> dict[str, tuple[str, str | None, list[dict[str, str]]]]:
    """Title, 统一社会信用代码 and internal units of each department, as they are now."""
    if not org_ids:
        return {}
    orgs = model.Session.query(model.Group).filter(model.Group.id.in_(list(org_ids)))
    return {org.id: (org.title, (org.extras or {}).get("uscc"), roles.department_units(org))
            for org in orgs}


def _page_url(fmt_path: str, params: dict[str, Any]) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{fmt_path}?{query}" if query else fmt_path


class _Triples(list):
    """Triples collected without a graph (``add`` as rdflib's): the page's header, read once."""

    add = list.append


def _header_triples(ids: list[str],
                    orgs: dict[str, tuple[str, str | None, list[dict[str, str]]]],
                    paging: dict[str, Any]) -> _Triples:
    """The catalogue, its datasets on this page, the page's departments and the paging."""
    g = _Triples()
    base_uri = catalog_uri().rstrip("/")
    catalog = URIRef(base_uri)
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCT.title, Literal(tk.config.get("ckan.site_title") or base_uri,
                                       lang=dcat_profile.LANG)))
    g.add((catalog, DCT.description, Literal(
        tk.config.get("ckan.site_description") or tk.config.get("ckan.site_title") or base_uri,
        lang=dcat_profile.LANG)))
    g.add((catalog, FOAF.homepage, URIRef(tk.config.get("ckan.site_url") or base_uri)))
    catalog_publisher = URIRef(base_uri + "#publisher")
    g.add((catalog, DCT.publisher, catalog_publisher))
    g.add((catalog_publisher, RDF.type, FOAF.Agent))
    g.add((catalog_publisher, FOAF.name, Literal(tk.config.get("ckan.site_title") or base_uri,
                                                 lang=dcat_profile.LANG)))
    if paging.get("modified"):
        g.add((catalog, DCT.modified, Literal(paging["modified"])))
    for entry_id in ids:
        g.add((catalog, DCAT.dataset, URIRef(f"{base_uri}/dataset/{entry_id}")))
    for org_id, (title, uscc, units) in orgs.items():
        ref = dcat_profile.publisher_ref({"owner_org": org_id})
        dcat_profile.add_publisher(g, ref, title, uscc, units)
    view = URIRef(paging["current"])
    g.add((view, RDF.type, T.HYDRA.PagedCollection))
    g.add((view, T.HYDRA.totalItems, Literal(paging["total"])))
    g.add((view, T.HYDRA.itemsPerPage, Literal(paging["per_page"])))
    g.add((view, T.HYDRA.first, Literal(paging["first"])))
    g.add((view, T.HYDRA.firstPage, Literal(paging["first"])))
    if paging.get("next"):
        g.add((view, T.HYDRA.next, Literal(paging["next"])))
        g.add((view, T.HYDRA.nextPage, Literal(paging["next"])))
    return g


def _jsonld(g: Iterable[Any], known: dict[str, str]) -> str:
    """``g`` (a graph, or its triples) as the nodes of a JSON-LD document whose ``@context`` declares ``known`` (the
    page's prefixes): IRIs written as compact IRIs, one value without its array (what
    rdflib's serializer would write compacted, for a fraction of its cost)."""
    by_length = sorted(((ns, prefix) for prefix, ns in known.items()), key=lambda np: -len(np[0]))
    memo: dict[Any, str] = {}

    def iri(term: Any) -> str:
        if not isinstance(term, URIRef):
            return f"_:{term}"
        if term not in memo:
            text = str(term)
            memo[term] = text
            for ns, prefix in by_length:
                if text.startswith(ns) and len(text) > len(ns) and text[len(ns):len(ns) + 2] != "//":
                    memo[term] = f"{prefix}:{text[len(ns):]}"
                    break
        return memo[term]

    nodes: dict[Any, dict[str, Any]] = {}
    for s, p, o in g:
        node = nodes.setdefault(s, {"@id": iri(s)})
        if p == RDF.type:
            node.setdefault("@type", []).append(iri(o))
            continue
        if isinstance(o, Literal):
            value: Any = {"@value": o.toPython() if o.datatype in _NATIVE else str(o)}
            if o.language:
                value["@language"] = o.language
            elif o.datatype and o.datatype not in _NATIVE:
                value["@type"] = iri(o.datatype)
        else:
            value = {"@id": iri(o)}
        node.setdefault(iri(p), []).append(value)
    for node in nodes.values():
        for key, values in node.items():
            if isinstance(values, list) and len(values) == 1:
                node[key] = values[0]
    return ",".join(json.dumps(n, ensure_ascii=False, separators=(",", ":"), default=str)
                    for n in nodes.values())


_NATIVE = {XSD.integer, XSD.boolean}
_KNOWN: dict[str, str] = {}


def known_prefixes() -> dict[str, str]:
    """The prefixes of the fragments' graphs (the profiles bind them), read once."""
    if not _KNOWN:
        g, _ref = graph_from_dataset({"id": "x", "name": "x", "resources": [], "tags": [],
                                       fields.CATALOGUE_STATE: tables.PUBLISHED})
        _KNOWN.update(_declared(g))
    return _KNOWN


def document(fmt: str, known: dict[str, str], parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if fmt == "ttl":
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(known.items()))
        return head + "\n" + "\n\n".join(parts) + "\n"
    if fmt == "jsonld":
        context = json.dumps(dict(sorted(known.items())), separators=(",", ":"))
        return '{"@context":' + context + ',"@graph":[\n' + ",\n".join(parts) + "]}"
    head = "".join(f'\n   xmlns:{p}="{ns}"' for p, ns in sorted(known.items()))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF' + head + ">\n"
            + "\n".join(parts) + "\n</rdf:RDF>\n")


def check_page(fmt: str, page_value: Any = None, modified_since: Any = None
               ) -> tuple[str, int, datetime.datetime | None]:
    """The stored format, cursor and date a page asks for.

    :raises tk.ValidationError: an unknown format, page cursor or date
    """
    stored = FORMAT_ALIASES.get(fmt or "")
    if stored is None:
        raise tk.ValidationError({"format": [tk._("Unsupported format: {format}").format(format=fmt)]})
    return stored, parse_cursor(page_value), parse_since(modified_since)


def page(user: model.User | None, fmt: str, page_value: Any = None, modified_since: Any = None,
         *, path: str | None = None) -> Page:
    """A page of the feed for ``user`` in endpoint format ``fmt`` (``ttl``, ``n3``, ``jsonld``,
    ``xml``, ``rdf``), continuing after the cursor ``page_value``.

    :raises tk.ValidationError: an unknown format, page cursor or date
    """
    stored, after, since = check_page(fmt, page_value, modified_since)
    per_page = int(tk.config.get("ckanext.dcat.datasets_per_page") or 100)
    fetched = fragments_of(after, since, per_page + 1)
    more = len(fetched) > per_page
    fetched = fetched[:per_page]
    ids = [r[0] for r in fetched]
    visible, with_data = permissions.visible_and_data_ids(user, ids)
    rows = [r for r in fetched if r[0] in visible]
    # the next page continues after the last row read, seen by this reader or not
    next_after = fetched[-1][1] if more else None
    known = known_prefixes()
    path = path or f"{catalog_uri().rstrip('/')}/catalog.{fmt}"
    keep = {"modified_since": modified_since}
    paging = {
        "current": _page_url(path, {**keep, "page": f"after-{after}" if after else None}),
        "first": _page_url(path, keep),
        "next": _page_url(path, {**keep, "page": f"after-{next_after}"}) if more else None,
        "total": _total(since), "per_page": per_page,
        "modified": max((r[3] for r in rows), default=None),
    }
    orgs = _departments({r[2] for r in rows if r[2]})
    triples = _header_triples([r[0] for r in rows], orgs, paging)
    if stored == "jsonld":
        header = _jsonld(triples, known)
    else:
        header_graph = Graph(bind_namespaces="core")
        for prefix, ns in known.items():
            header_graph.bind(prefix, ns, override=True, replace=True)
        for triple in triples:
            header_graph.add(triple)
        header = _serialize(header_graph, stored, known)
    parts = [header]
    texts = _texts(stored, [r[0] for r in rows], with_data)
    for entry_id, *_rest in rows:
        parts.extend(texts[entry_id])
    body = document(stored, known, parts)
    return Page(body, [(r[0], r[2], r[3]) for r in rows], next_after, paging["total"])


# -- the harvest account and what it received (DB14 §7.5) ---------------------------------------


def harvest_user() -> model.User | None:
    """The account the provincial platform harvests with (``ckanext.govshare.harvest_user``)."""
    name = gs_config.harvest_user()
    return model.User.get(name) if name else None


def record_harvest(user: model.User, fmt: str, served: Page, after: int,
                   since: datetime.datetime | None) -> None:
    """Record a page the harvest account fetched and, per entry, that this version reached the
    provincial platform (DB14 §7.5 目录发布: the evidence of reporting in time)."""
    at = base.now()
    model.Session.execute(_RECORD, {
        "user_id": user.id, "at": at, "format": fmt, "since": since, "after": after or None,
        "count": len(served.entries), "ids": [e[0] for e in served.entries],
        "orgs": [e[1] for e in served.entries], "modified": [e[2] for e in served.entries]})
    model.Session.commit()


#: the page on record and its entries' deliveries, in one statement
_RECORD = sa.text("""
    WITH request AS (
        INSERT INTO govshare_harvest_request
            (user_id, at, format, modified_since, after_seq, entries)
        VALUES (:user_id, :at, :format, :since, :after, :count)
    )
    INSERT INTO govshare_harvest_delivery (package_id, owner_org, first_at, last_at, modified)
    SELECT d.id, d.org, :at, :at, d.modified
    FROM unnest(CAST(:ids AS text[]), CAST(:orgs AS text[]), CAST(:modified AS timestamptz[]))
        AS d(id, org, modified)
    ON CONFLICT (package_id) DO UPDATE SET last_at = EXCLUDED.last_at,
        modified = EXCLUDED.modified, owner_org = EXCLUDED.owner_org
""")


def delivery_of(entry_id: str) -> dict[str, Any] | None:
    """When the entry last reached the provincial platform and whether it changed since."""
    row = (model.Session.query(HarvestDelivery, DcatFragment.modified)
           .outerjoin(DcatFragment, DcatFragment.package_id == HarvestDelivery.package_id)
           .filter(HarvestDelivery.package_id == entry_id).first())
    if row is None:
        return None
    delivery, current = row
    return {"first_at": delivery.first_at.isoformat(), "last_at": delivery.last_at.isoformat(),
            "delivered_modified": delivery.modified.isoformat(),
            "changed_since": bool(current and current > delivery.modified)}


def department_deliveries(org_id: str) -> list[dict[str, Any]]:
    """The department's entries in the feed, each with its last delivery; those changed since
    (or never delivered) first."""
    rows = (model.Session.query(DcatFragment.package_id, DcatFragment.state,
                                DcatFragment.modified, HarvestDelivery.last_at,
                                HarvestDelivery.modified, model.Package.name, model.Package.title)
            .join(model.Package, model.Package.id == DcatFragment.package_id)
            .outerjoin(HarvestDelivery, HarvestDelivery.package_id == DcatFragment.package_id)
            .filter(DcatFragment.owner_org == org_id)
            .order_by(DcatFragment.modified.desc()))
    out = []
    for pid, state, modified, last_at, delivered, name, title in rows:
        out.append({"id": pid, "name": name, "title": title, "catalogue_state": state,
                    "modified": modified.isoformat(),
                    "delivered_at": last_at.isoformat() if last_at else None,
                    "changed_since": delivered is None or modified > delivered})
    out.sort(key=lambda r: not r["changed_since"])
    return out
