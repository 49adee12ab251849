"""Actions of the 1272 Excel template: import a filled-in workbook, follow a background import,
export the catalogue (issue #11 §2).

The work is :mod:`ckanext.govshare.exchange.importer` (every row through ``package_create`` /
``package_update``, all or nothing) and :mod:`ckanext.govshare.exchange.workbook` (the file).
"""
from __future__ import annotations

import base64
import json
import os
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import vocab
from ckanext.govshare.exchange import importer, queries, workbook
from ckanext.govshare.logic import schema
from ckanext.govshare.model import base

__all__ = [
    "govshare_catalogue_export",
    "govshare_catalogue_import_status",
    "govshare_catalogue_import_xlsx",
]

#: context key through which the CLI hands over the file and a progress callback
CONTENT_CONTEXT_KEY = "govshare_import_content"
PROGRESS_CONTEXT_KEY = "govshare_import_progress"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(context: Context) -> str:
    return str(context.get("user") or "")


def _with_messages(outcome: dict[str, Any]) -> dict[str, Any]:
    """The outcome with each problem worded in the user's language."""
    outcome = dict(outcome)
    outcome["problems"] = [dict(p, message=importer.message(p))
                           for p in outcome.get("problems") or []]
    return outcome


def _content(context: Context, data_dict: DataDict) -> bytes:
    content = context.get(CONTENT_CONTEXT_KEY)  # type: ignore[misc]
    if content is None:
        upload = data_dict.get("upload")
        if upload is None or not hasattr(upload, "read"):
            raise tk.ValidationError({"upload": [tk._("Workbook file: upload an .xlsx file")]})
        content = upload.read(gs_config.import_max_bytes() + 1)
    if len(content) > gs_config.import_max_bytes():
        limit = gs_config.import_max_bytes() // (1024 * 1024)
        raise tk.ValidationError({"upload": [tk._("Workbook file: larger than {limit} MB").format(limit=limit)]})
    return content


def _entry_rows(content: bytes) -> int:
    """Rows of the workbook's largest sheet (what decides between now and a background job)."""
    try:
        return max((len(s.rows) for s in workbook.read(content)), default=0)
    except workbook.WorkbookError:
        return 0


@validate(schema.catalogue_import_xlsx)
def govshare_catalogue_import_xlsx(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Import a filled-in 1272 workbook (the template of :func:`govshare_catalogue_export`, or
    the flattened one-row-per-信息项 sheet) into the catalogue.

    Each entry is written as the caller's own ``package_create`` (new: a draft) or
    ``package_update`` (a draft; a published entry gets a pending revision), paired with the
    stored entry by resource code, or by title in the department when it has none; a row that
    says what is stored already changes nothing. Nothing is stored unless every row passes
    every rule; each problem is located by ``sheet``, ``row`` and ``column``. A workbook of
    more than ``ckanext.govshare.import.background_rows`` rows is imported by a background job:
    the answer is then ``{"job_id", "state": "queued"}`` and
    :func:`govshare_catalogue_import_status` follows it.

    :param upload: the ``.xlsx`` file (multipart upload)
    :type upload: file
    :param organization_id: the department imported into (id or name); a department's
        compilers and administrators import into their department, sysadmins may omit it (each
        row then names its provider by title or 统一社会信用代码)
    :type organization_id: string
    :param dry_run: check every row and report, store nothing (default ``false``)
    :type dry_run: bool

    :returns: ``entries``, ``counts`` (``created``, ``updated``, ``revised``, ``unchanged``),
        ``problems`` (``sheet``, ``row``, ``column``, ``header``, ``field``, ``kind``,
        ``message``), ``dry_run``, ``stored``; or ``job_id`` and ``state``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_import_xlsx", context, data_dict)
    content = _content(context, data_dict)
    org_id = data_dict.get("organization_id")
    dry_run = bool(data_dict.get("dry_run"))
    progress = context.get(PROGRESS_CONTEXT_KEY)  # type: ignore[misc]
    if progress is None and _entry_rows(content) > gs_config.import_background_rows():
        job_id = uuid.uuid4().hex
        folder = os.path.join(tk.config.get("ckan.storage_path") or "/tmp", "govshare", "imports")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{job_id}.xlsx")
        with open(path, "wb") as f:
            f.write(content)
        importer.set_status(job_id, state="queued", user=_user(context), organization_id=org_id,
                            dry_run=dry_run, done=0, total=0)
        tk.enqueue_job(importer.job, [job_id, path, _user(context), org_id, dry_run],
                       title="govshare catalogue import", rq_kwargs={"job_id": job_id,
                                                                     "timeout": 3600})
        return {"job_id": job_id, "state": "queued"}
    outcome = importer.run(content, user=_user(context), department=org_id, dry_run=dry_run,
                           workers=gs_config.import_workers(), progress=progress)
    return _with_messages(outcome.as_dict())


@validate(schema.catalogue_import_status)
@tk.side_effect_free
def govshare_catalogue_import_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The state of a background import started by :func:`govshare_catalogue_import_xlsx`.

    Only the user who started it, and sysadmins, may follow it.

    :param id: the ``job_id`` the import answered
    :type id: string

    :returns: ``id``, ``state`` (``queued``, ``running``, ``finished``, ``failed``), ``done``
        and ``total`` rows, and when finished the ``outcome`` as the import answers it
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_import_status", context, data_dict)
    found = importer.status(data_dict["id"])
    if found is None:
        raise tk.ObjectNotFound(tk._("import not found or expired"))
    result = {"id": data_dict["id"], **found}
    if isinstance(result.get("outcome"), dict):
        result["outcome"] = _with_messages(result["outcome"])
    return result


@validate(schema.catalogue_export)
@tk.side_effect_free
def govshare_catalogue_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Export catalogue entries as the 1272 template (``xlsx``), as 1272-structured JSON
    (``json``), or the blank template (``template``).

    The entries are those of the department the caller may see (sysadmins: all departments
    when ``organization_id`` is omitted), each as ``package_show`` shows it to the caller; the
    exported workbook imports back unchanged. The result is JSON-safe: ``data`` is the base64
    of the workbook (``encoding`` ``base64``) or the JSON text (``encoding`` ``utf-8``).

    :param organization_id: the department (id or name)
    :type organization_id: string
    :param format: ``xlsx`` (default), ``json`` or ``template``
    :type format: string

    :returns: ``format``, ``filename``, ``mimetype``, ``encoding``, ``data``, ``count``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_export", context, data_dict)
    fmt = data_dict["format"]
    org_id = data_dict.get("organization_id")
    scale = vocab.grade_scale()
    departments = {r.id: {"id": r.id, "name": r.name, "title": r.title}
                   for r in queries.departments()}
    stem = "govshare-catalogue"
    if org_id:
        stem += f"-{departments.get(org_id, {}).get('name', org_id)}"
    stem += base.now().strftime("-%Y%m%d")
    if fmt == "template":
        return {"format": fmt, "filename": "govshare-1272-template.xlsx",
                "mimetype": XLSX_MIMETYPE, "encoding": "base64", "count": 0,
                "data": base64.b64encode(workbook.write([], grade_scale=scale)).decode("ascii")}
    show = tk.get_action("package_show")
    entries = []
    for pkg_id in queries.entry_ids(org_id):
        try:
            entries.append(show({"user": _user(context)}, {"id": pkg_id}))
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
    if fmt == "json":
        doc = workbook.json_document(entries, departments=departments)
        return {"format": fmt, "filename": f"{stem}.json", "mimetype": "application/json",
                "encoding": "utf-8", "count": len(entries),
                "data": json.dumps(doc, ensure_ascii=False, indent=1)}
    return {"format": fmt, "filename": f"{stem}.xlsx", "mimetype": XLSX_MIMETYPE,
            "encoding": "base64", "count": len(entries),
            "data": base64.b64encode(workbook.write(
                entries, grade_scale=scale, departments=departments)).decode("ascii")}
