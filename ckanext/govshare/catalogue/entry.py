"""Catalogue entries as stored records: resource codes, generated names, department defaults.

What belongs here is what needs the database: allocating a resource code from its per-prefix
sequence, keeping the register of every code ever issued (a code is never reused, also not
after deletion or offline), and filling the fields an entry takes from its department. The
pure rules of an entry live in ``rules.py``; code formats in ``codes.py``; the SQL in
``queries.py``.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import codes, fields, queries

__all__ = [
    "allocate_resource_code", "claim_code", "department", "prepare_entry",
]

def allocate_resource_code(entry: dict[str, Any]) -> str:
    """Next free code for the entry's classification, from the configured template.

    The sequence row stays locked until the creating transaction ends, so concurrent creates
    of the same prefix queue up instead of drawing the same number (a rolled-back create gives
    its number back: it was never issued). Numbers already in the register are skipped.
    """
    template = gs_config.resource_code_template()
    parts = dict(
        class_=entry.get(fields.CATALOG_CLASS) or "",
        item=entry.get(fields.CATALOG_ITEM) or "",
        subitem=entry.get(fields.CATALOG_SUBITEM) or "",
        detail=entry.get(fields.CATALOG_DETAIL) or "",
    )
    prefix = codes.code_prefix(template, **parts)
    while True:
        seq = queries.next_code_number(prefix)
        code = codes.format_resource_code(template, seq=seq, **parts)
        if queries.code_owner(code) is None:
            return code


def department(ref: str) -> model.Group | None:
    """The organization with id or name ``ref``, in one query (``Group.get`` takes two for a
    name: by id, then by name)."""
    return model.Session.query(model.Group).filter(
        sa.or_(model.Group.id == ref, model.Group.name == ref)).first()


def _code_taken(code: str) -> tk.ValidationError:
    return tk.ValidationError({fields.RESOURCE_CODE: [tk._("resource code {code} was already issued to another entry (codes are never reused)").format(code=code)]})


def claim_code(pkg_dict: dict[str, Any]) -> None:
    """Register the entry's code for good, in the dataset's own transaction.

    The primary key makes a concurrent create with the same explicit code wait for the first
    and then fail here, so two entries never hold one code.
    """
    code = pkg_dict.get(fields.RESOURCE_CODE)
    if not code or not pkg_dict.get("id"):
        return
    claimed = queries.claim_code(code, pkg_dict["id"], pkg_dict.get(fields.OWNER_ORG))
    if not claimed and queries.code_owner(code) != pkg_dict["id"]:
        model.Session.rollback()
        raise _code_taken(code)


def prepare_entry(data_dict: dict[str, Any], *,
                  package_id: str | None = None) -> model.Group | None:
    """Fill what an entry takes from its classification and department, before validation.

    * ``resource_code`` allocated when absent on create; a code given by the client must not
      belong to another entry, now or in the past (1272 §6.3 代码唯一、不重复使用);
    * ``name`` generated from the code when absent (a Chinese title yields no slug);
    * ``provider_code`` = the department's 统一社会信用代码.

    Returns the department (``owner_org``) when there is one.
    """
    code = str(data_dict.get(fields.RESOURCE_CODE) or "").strip()
    allocated = False
    if not code and package_id is None and data_dict.get(fields.CATALOG_CLASS):
        code = allocate_resource_code(data_dict)
        data_dict[fields.RESOURCE_CODE] = code
        allocated = True  # allocate_resource_code returns only unregistered codes
    if code and not allocated:
        owner = queries.code_owner(code)
        if owner is not None and owner != package_id:
            raise _code_taken(code)
    if not data_dict.get("name") and code:
        data_dict["name"] = codes.slug_from_resource_code(code)
    org_id = data_dict.get(fields.OWNER_ORG)
    org = department(org_id) if org_id else None
    if org is not None:
        # by id: core's owner_org_validator then finds it in one query, not two (id, then name)
        data_dict[fields.OWNER_ORG] = org.id
    uscc = org.extras.get("uscc") if org is not None else None
    if uscc:
        data_dict[fields.PROVIDER_CODE] = uscc
    return org
