"""``PgConnection``: the part of ``pysolr.Solr`` that CKAN uses, answered by PostgreSQL.

CKAN builds Solr documents (``PackageSearchIndex.index_package``) and Solr queries
(``PackageSearchQuery.run``, ``get_index``, ``get_all_entity_ids``, ``clear_index``) and hands
them to ``make_connection()``. This module receives them unchanged:

* ``add(docs)`` upserts a row of ``govshare_search_index`` **in the session that is committing
  the dataset**, so the dataset and its index row commit or roll back together;
* ``delete(q=...)`` deletes the rows matching a Lucene query (CKAN deletes by query);
* ``search(q, fq, sort, rows, start, fl, facet.*)`` returns an object with ``hits``, ``docs``
  and ``facets`` shaped like pysolr's ``Results``.

Bad queries raise :class:`GovshareSearchQueryError`, which is both CKAN's
``SearchQueryError`` (the dataset page answers 400 with the message) and a
``ValidationError`` naming the parameter (the action API answers 409). Whatever a caller sends
is refused that way or answered: queries beyond the configured length and clause limits or
the parser's nesting depth, dates and numbers beyond what can be compared, and paging beyond
the results are settled before PostgreSQL sees them; a database error caused by the query
all the same is refused without its text.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.search.common import SearchQueryError
from sqlalchemy import event

from ckanext.govshare import config as gs_config
from ckanext.govshare.messages import bilingual
from ckanext.govshare.search import cache, lucene, sql, text

log = logging.getLogger(__name__)

__all__ = ["PgConnection", "GovshareSearchQueryError", "make_connection", "track_commits"]

TABLE = "govshare_search_index"

# stored in the row's ``doc`` for answering, never matched
STORED_ONLY = frozenset({"data_dict", "validated_data_dict"})
# matched exactly but never part of the free text
NOT_TEXT = frozenset({
    "id", "site_id", "index_id", "entity_type", "dataset_type", "state", "capacity",
    "permission_labels", "owner_org", "metadata_created", "metadata_modified", "res_url",
    "url", "license_id", "type", "private", "creator_user_id", "indexed_ts", "urls",
    "res_type", "num_resources", "num_tags", "isopen", "version",
})
WEIGHT_A = ("name", "title")
WEIGHT_B = ("tags", "groups", "organization")
WEIGHT_C = ("notes", "res_name", "res_description")

_state = threading.local()


class GovshareSearchQueryError(SearchQueryError, tk.ValidationError):
    """A search the backend refuses: 400 on dataset pages, 409 (naming the field) via the API."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        message = bilingual(zh, en)
        tk.ValidationError.__init__(self, {field: [message]})
        self.args = (message,)

    def __str__(self) -> str:
        return self.args[0]


def track_commits() -> None:
    """Remember which session is committing, so index rows join its transaction."""
    if getattr(track_commits, "_done", False):
        return

    def before(session: Any) -> None:
        _state.committing = session

    def after(session: Any) -> None:
        _state.committing = None
        if getattr(_state, "wrote", False):
            _state.wrote = False
            cache.advance(session.get_bind())

    def rolled_back(session: Any) -> None:
        _state.committing = None
        _state.wrote = False

    for target in (model.Session, model.meta.create_local_session):
        event.listen(target, "before_commit", before, insert=True)
        event.listen(target, "after_commit", after)
        event.listen(target, "after_rollback", rolled_back)
    track_commits._done = True  # type: ignore[attr-defined]


def _session() -> Any:
    return getattr(_state, "committing", None) or model.Session


def _in_commit() -> bool:
    return getattr(_state, "committing", None) is not None


def make_connection(decode_dates: bool = True) -> PgConnection:
    """Drop-in for ``ckan.lib.search.common.make_connection``."""
    return PgConnection()


class Results:
    """The three attributes of ``pysolr.Results`` that CKAN reads."""

    def __init__(self, docs: list[dict], hits: int, facets: dict) -> None:
        self.docs = docs
        self.hits = hits
        self.facets = facets

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


# -- documents -> rows ------------------------------------------------------------------------

def _strings(value: Any) -> list[str]:
    """All strings in ``value`` (JSON-encoded lists/dicts are opened, as scheming stores them)."""
    if value is None or value == "":
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, str):
        s = value.strip()
        if s[:1] in "[{" and s[-1:] in "]}":
            try:
                return _strings(json.loads(s))
            except ValueError:
                pass
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple, set)):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def _field_values(value: Any) -> list[str]:
    """Values of one Solr field as matched by ``field:value`` (deduplicated, order kept)."""
    if isinstance(value, (list, tuple)):
        vals = [("true" if v else "false") if isinstance(v, bool) else str(v)
                for v in value if v is not None and v != "" and not isinstance(v, dict)]
    elif isinstance(value, dict) or value is None or value == "":
        vals = []
    elif isinstance(value, bool):
        vals = ["true" if value else "false"]
    else:
        vals = [str(value)]
    return list(dict.fromkeys(vals))


# what PostgreSQL text cannot hold: NUL, and UTF-16 surrogates without their pair (JSON
# ``"\ud800"`` decodes to one)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean(s: str) -> str:
    return _UNSTORABLE.sub("", s)


def document_row(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``govshare_search_index`` row of one CKAN search document."""
    fields = {}
    for key, value in doc.items():
        if key in STORED_ONLY:
            continue
        vals = _field_values(value)
        if vals:
            fields[key] = [_clean(v) for v in vals]

    weighted: list[tuple[str, str]] = []
    for weight, keys in (("A", WEIGHT_A), ("B", WEIGHT_B), ("C", WEIGHT_C)):
        for key in keys:
            weighted.extend((weight, s) for s in _strings(doc.get(key)))
    seen = set(WEIGHT_A + WEIGHT_B + WEIGHT_C)
    rest: dict[str, None] = {}
    for key, value in doc.items():
        if key in seen or key in STORED_ONLY or key in NOT_TEXT or key.endswith("_id") \
                or key.endswith("_date") or key.startswith("res_extras_") \
                or (key.startswith("extras_") and key[7:] in doc):
            # CKAN indexes every extra twice, as ``x`` and ``extras_x``: its text once
            continue
        rest.update(dict.fromkeys(_strings(value)))
    # the other fields' text once per distinct string: repeated codes and 信息项 values
    # (20 items × "unconditional", "C", "false" …) add nothing to what is found
    weighted.extend(("D", s) for s in rest)
    weighted = [(w, _clean(s)) for w, s in weighted]

    def ts(key: str) -> str | None:
        v = doc.get(key)
        return v if isinstance(v, str) and v else None

    def first(key: str) -> str | None:
        return fields[key][0] if key in fields else None

    keys = {k: v for k, v in fields.items() if sql.in_keys(k)}
    return {
        "index_id": doc["index_id"],
        "package_id": doc["id"],
        "site_id": doc.get("site_id") or "",
        "name": doc.get("name"),
        "title_string": doc.get("title_string") or doc.get("title"),
        "metadata_created": ts("metadata_created"),
        "metadata_modified": ts("metadata_modified"),
        "fields": json.dumps(fields, ensure_ascii=False),
        "keys": json.dumps(keys, ensure_ascii=False),
        "state": first("state"),
        "capacity": first("capacity"),
        "dataset_type": first("dataset_type"),
        "permission_labels": fields.get("permission_labels", []),
        "tsv": text.tsvector_literal(weighted),
        "body": text.phrase_text("\n".join(s for _, s in weighted)),
        "doc": _clean(json.dumps(doc, ensure_ascii=False, default=str)).replace("\\u0000", ""),
    }


_UPSERT = sa.text(f"""
    INSERT INTO {TABLE} (index_id, package_id, site_id, name, title_string, metadata_created,
                         metadata_modified, fields, keys, state, capacity, dataset_type,
                         permission_labels, tsv, body, doc, indexed_at)
    VALUES (:index_id, :package_id, :site_id, :name, :title_string,
            CAST(:metadata_created AS timestamptz), CAST(:metadata_modified AS timestamptz),
            CAST(:fields AS jsonb), CAST(:keys AS jsonb), :state, :capacity, :dataset_type,
            CAST(:permission_labels AS text[]), CAST(:tsv AS tsvector), :body,
            CAST(:doc AS jsonb), now())
    ON CONFLICT (index_id) DO UPDATE SET
        package_id = EXCLUDED.package_id, site_id = EXCLUDED.site_id, name = EXCLUDED.name,
        title_string = EXCLUDED.title_string, metadata_created = EXCLUDED.metadata_created,
        metadata_modified = EXCLUDED.metadata_modified, fields = EXCLUDED.fields,
        keys = EXCLUDED.keys, state = EXCLUDED.state, capacity = EXCLUDED.capacity,
        dataset_type = EXCLUDED.dataset_type, permission_labels = EXCLUDED.permission_labels,
        tsv = EXCLUDED.tsv, body = EXCLUDED.body, doc = EXCLUDED.doc, indexed_at = now()
""")


# -- the connection ---------------------------------------------------------------------------

def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v.strip()]
    if isinstance(value, str):
        if value.strip().startswith("["):
            try:
                parsed = json.loads(value)
                if isinstance(parsed, list):
                    return [str(v) for v in parsed]
            except ValueError:
                pass
        return [value] if value.strip() else []
    return [str(value)]


def parse(query: str | None) -> lucene.Node:
    """``lucene.parse`` of one ``q`` or ``fq`` filter as this backend receives it: without the
    characters PostgreSQL cannot hold (documents are indexed without them) and within the
    configured limits (``search.max_query_length``, ``search.max_clauses``)."""
    return lucene.parse(_clean(query) if query else query,
                        max_length=gs_config.search_max_query_length(),
                        max_clauses=gs_config.search_max_clauses())


# CKAN's ``package_search`` glues its own filters onto the caller's ``fq`` as text:
# ``'+capacity:public ' + fq + ' +state:(active OR draft)'``
_CKAN_PREFIX = "+capacity:public "
_CKAN_SUFFIX = re.compile(r" \+state:\(active(?: OR draft)?(?: OR deleted)?\)$")


def ckan_filter_parts(fq: str) -> list[str]:
    """``fq`` split into CKAN's glued-on filters and the caller's own, each parsed alone.

    Parsed as one text, the caller's ``fq`` would bind to CKAN's filters (``a OR b`` would
    become ``(+capacity:public a) OR (b +state:active)``) and report its errors at CKAN's
    offsets; split, it means the same as it does in ``q``, ANDed with CKAN's filters.
    """
    parts = []
    if fq.startswith(_CKAN_PREFIX):
        parts.append(_CKAN_PREFIX.strip())
        fq = fq[len(_CKAN_PREFIX):]
    m = _CKAN_SUFFIX.search(fq)
    if m and "+state" not in fq[:m.start()]:  # CKAN adds it only to an fq without one
        parts.append(m.group(0).strip())
        fq = fq[:m.start()]
    return [*parts, fq]


_LIMITS_ZH = {
    "depth": "括号和 NOT/-/!/+ 运算符嵌套超过 {limit} 层（位置 {pos}）",
    "length": "长度 {size} 个字符，超过 {limit} 个字符的上限",
    "clauses": "检索词和范围超过 {limit} 个（位置 {pos}）",
}


def _too_big(e: sa.exc.OperationalError) -> bool:
    """PostgreSQL refused a query too big for it (SQLSTATE class 54, "program limit exceeded":
    statement too complex, too many columns...), which arrives as OperationalError like a lost
    connection does."""
    return str(getattr(e.orig, "pgcode", None) or "").startswith("54")


def _int(params: dict, key: str, default: int) -> int:
    value = params.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise GovshareSearchQueryError(
            key, f"参数 {key} 必须是整数：{value!r}", f"parameter {key} must be an integer: {value!r}"
        ) from None


#: the context key of an action whose caller defers the commit (the workbook import) and wants
#: the entry's search document written in its transaction all the same, right after the entry
#: (``logic.action.visibility.index_in_transaction``)
INDEX_IN_TRANSACTION = "govshare_index_in_transaction"


class PgConnection:
    url = "postgresql:govshare_search_index"

    # indexing ---------------------------------------------------------------------------------
    def add(self, docs: list[dict[str, Any]], commit: bool = True, **_: Any) -> None:
        session = _session()
        for doc in docs:
            session.execute(_UPSERT, document_row(doc))
        _state.wrote = True
        # the row commits with the dataset; outside a commit (search-index rebuild) the caller
        # commits (``ckan.lib.search.rebuild`` does, and so does ``commit()`` below)

    def delete(self, q: str | None = None, id: str | None = None, commit: bool = True,
               **_: Any) -> None:
        session = _session()
        if id is not None:
            session.execute(sa.text(f"DELETE FROM {TABLE} WHERE index_id = :id"), {"id": id})
        else:
            comp = sql.Compiler()
            cond = self._compile(comp, q, "q")
            session.execute(sa.text(f"DELETE FROM {TABLE} g WHERE {cond}"), comp.params)
        _state.wrote = True
        if commit:
            self.commit()

    def commit(self, **_: Any) -> None:
        """Commit pending index writes unless a dataset commit is already carrying them."""
        if not _in_commit():
            model.Session.commit()

    # querying ---------------------------------------------------------------------------------
    def _compile(self, comp: sql.Compiler, query: str | None, param: str) -> str:
        try:
            return comp.compile(parse(query))
        except lucene.QueryLimitError as e:
            zh = _LIMITS_ZH[e.kind].format(limit=e.limit, pos=e.pos, size=e.size)
            raise GovshareSearchQueryError(
                param, f"查询过于复杂：{zh}", f"query too complex: {e}"
            ) from None
        except lucene.QuerySyntaxError as e:
            raise GovshareSearchQueryError(
                param, f"查询语法错误：{e}", f"query syntax not supported: {e}"
            ) from None
        except sql.QueryError as e:
            raise GovshareSearchQueryError(param, f"查询无法执行：{e}", f"invalid query: {e}") \
                from None

    def _order_by(self, comp: sql.Compiler, sort: str | None, rank: str) -> str:
        g = comp.alias
        items = [s.strip() for s in (sort or "score desc, metadata_modified desc").split(",")]
        out = []
        for item in items:
            parts = item.split()
            if len(parts) != 2 or parts[1].lower() not in ("asc", "desc") \
                    or not (lucene.FIELD_RE.match(parts[0])):
                raise GovshareSearchQueryError(
                    "sort", f"排序参数无效：{sort!r}（应为“字段 asc|desc”，逗号分隔）",
                    f'Invalid "sort" parameter: {sort!r} (expected "field asc|desc", comma-separated)',
                )
            field, direction = parts[0], parts[1].upper()
            if field == "score":
                if rank == "0.0":
                    continue  # no free text: every score is equal
                expr = rank
            elif field in sql.DATE_COLUMNS:
                expr = f"{g}.{field}"
            elif field == "name":
                expr = f"{g}.name"
            elif field == "title_string":
                expr = f'{g}.title_string COLLATE "C"'
            elif field in sql.NUMERIC_FIELDS:
                expr = (f"govshare_try_numeric({sql.json_column(g, field)} -> "
                        f"{comp.param(field)} ->> 0)")
            else:
                expr = f"({sql.json_column(g, field)} -> {comp.param(field)} ->> 0)"
            out.append(f"{expr} {direction} NULLS LAST")
        out.append(f"{g}.index_id")
        return ", ".join(out)

    def _stats(self, session: Any, stats_sql: str, params: dict[str, Any]) -> list:
        """Count and facet rows, from the cache while the index has not changed."""
        size = gs_config.search_cache_size()
        # only faceted searches are worth a generation read (a bare count is selective:
        # package_show's cache lookup, organization counts)
        if size <= 0 or getattr(_state, "wrote", False) or " UNION ALL " not in stats_sql:
            return session.execute(sa.text(stats_sql), params).fetchall()
        key = (cache.generation(session), stats_sql,
               tuple(sorted((k, repr(v)) for k, v in params.items())))
        found = cache.get(key, size)
        if found is None:
            found = [tuple(r) for r in session.execute(sa.text(stats_sql), params).fetchall()]
            cache.put(key, found, size)
        return found

    def search(self, q: str | None = None, **params: Any) -> Results:
        if q is None:
            q = params.get("q")
        comp = sql.Compiler()
        conds = [self._compile(comp, q, "q")]
        for fq in _as_list(params.get("fq")):
            conds.extend(self._compile(comp, part, "fq") for part in ckan_filter_parts(fq))
        where = " AND ".join(conds)

        rows = max(0, min(_int(params, "rows", 10), gs_config.search_max_rows() + 1))
        start = max(0, _int(params, "start", 0))
        if comp.rank_queries:
            rank_q = text.join_tsquery([f"({r})" for r in comp.rank_queries], "|")
            rank = f"ts_rank(g.tsv, CAST({comp.param(rank_q)} AS tsquery))"
        else:
            rank = "0.0"
        order = self._order_by(comp, params.get("sort"), rank)

        fl = params.get("fl") or "*"  # Solr returns every stored field when fl is absent
        fl_list = [_clean(f) for f in (fl if isinstance(fl, list) else str(fl).replace(",", " ")
                                       .split())]
        want_score = "score" in fl_list
        everything = "*" in fl_list

        facet_on = str(params.get("facet", "false")).lower() == "true"
        facet_fields = list(dict.fromkeys(_as_list(params.get("facet.field")))) if facet_on else []
        for f in facet_fields:
            if not lucene.FIELD_RE.match(f):
                raise GovshareSearchQueryError(
                    "facet.field", f"分面字段无效：{f!r}", f"invalid facet field: {f!r}"
                )
        if len(facet_fields) > (most := gs_config.search_max_facet_fields()):
            raise GovshareSearchQueryError(
                "facet.field", f"分面字段过多：{len(facet_fields)} 个（最多 {most} 个）",
                f"too many facet fields: {len(facet_fields)} (at most {most})",
            )
        limit = _int(params, "facet.limit", 50)
        mincount = _int(params, "facet.mincount", 1)

        session = _session()
        base = f"FROM {TABLE} g WHERE {where}"
        # 1. count and facets over the matching set, in one statement; the set keeps only the
        # faceted values (read from the small ``keys`` column where they are)
        parts = ["SELECT NULL::text AS field, NULL::text AS value, count(*) AS n FROM m"]
        values = []
        for i, f in enumerate(facet_fields):
            fp = comp.param(f)
            values.append(f"{sql.json_column('g', f)} -> {fp} AS f{i}")
            parts.append(f"SELECT CAST({fp} AS text), v, count(*) FROM m "
                         f"CROSS JOIN LATERAL jsonb_array_elements_text(m.f{i}) v GROUP BY v")
        stats_sql = (f"WITH m AS MATERIALIZED (SELECT {', '.join(values)} {base}) "
                     + " UNION ALL ".join(parts))
        if not facet_fields:
            stats_sql = f"SELECT NULL::text, NULL::text, count(*) {base}"
        def page_ids(limit: int) -> list[Any]:
            return session.execute(sa.text(
                f"SELECT g.index_id, {rank} AS score {base} ORDER BY {order} "
                f"LIMIT {comp.param(limit)} OFFSET {comp.param(start)}"
            ), comp.params).fetchall()

        try:
            page = None
            if not facet_fields and start == 0 and rows > 0:
                # a first page without facets: one row more than asked tells whether the page
                # holds every match, and then the count is the page's (``search.show`` inside
                # every ``package_show`` asks for one row by id or name)
                page = page_ids(rows + 1)
                stats = [(None, None, len(page))] if len(page) <= rows else None
                page = page[:rows]
            if page is None or stats is None:
                stats = self._stats(session, stats_sql, comp.params)
            docs_rows = []
            # past the last result there is no page to read (and ``start`` may be beyond
            # PostgreSQL's bigint)
            if rows > 0 and start < next((int(n) for f, _, n in stats if f is None), 0):
                # 2. the page: ordered ids first, then the stored documents of those rows only
                if page is None:
                    page = page_ids(rows)
                columns = "g.doc" if everything or not fl_list else (
                    "(SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb) "
                    "FROM jsonb_each(g.doc) e WHERE e.key = ANY(:fl))"
                )
                stored = dict(session.execute(sa.text(
                    f"SELECT g.index_id, {columns} FROM {TABLE} g WHERE g.index_id = ANY(:ids)"
                ), {"ids": [r[0] for r in page], "fl": fl_list}).fetchall()) if page else {}
                docs_rows = [(stored[i], score) for i, score in page if i in stored]
        except (sa.exc.DataError, sa.exc.OperationalError) as e:
            if isinstance(e, sa.exc.OperationalError) and not _too_big(e):
                raise  # the database is unwell, not the query
            # the checks above should have refused this query: say so in the log, not to the
            # caller (PostgreSQL's message names our tables and functions)
            log.warning("search refused by PostgreSQL: %s (q=%r, fq=%r)",
                        str(e.orig).strip(), q, params.get("fq"))
            session.rollback()
            raise GovshareSearchQueryError(
                "q" if q and lucene.parse(_clean(q)) != lucene.MatchAll() else "fq",
                "查询无法执行", "the query could not be executed",
            ) from None

        hits = 0
        counts: dict[str, list[tuple[str, int]]] = {f: [] for f in facet_fields}
        for field, value, n in stats:
            if field is None:
                hits = int(n)
            elif n >= mincount:
                counts[field].append((value, int(n)))
        facet_fields_out = {}
        for f, values in counts.items():
            values.sort(key=lambda vn: (-vn[1], vn[0]))
            if limit >= 0:
                values = values[:limit]
            facet_fields_out[f] = [x for vn in values for x in vn]

        docs = []
        for doc, score in docs_rows:
            doc = dict(doc)
            if want_score:
                doc["score"] = float(score)
            docs.append(doc)
        return Results(docs, hits, {"facet_fields": facet_fields_out} if facet_on else {})
