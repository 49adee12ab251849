"""Filing (备案) of a department's responsible persons: vocabularies, rules and the export.

DB14 §4 c) asks each department to name its responsible body and person and file them with the
platform's administration; §6.2 adds the contacts, §11.2 the security officer. One record per
department and kind; its status follows a three-state cycle::

    to_be_filed ──file──▶ filed ──change of the filed content──▶ changed_to_be_refiled
                                 ◀──────────────file──────────────┘

Pure: no CKAN, no database. The actions in :mod:`ckanext.govshare.logic.action.department` persist the
records (:mod:`ckanext.govshare.model.filing`) and call these functions.
"""
from __future__ import annotations

import base64
import csv
import datetime
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ckanext.govshare.messages import Label
from ckanext.govshare.xlsx import header_row

__all__ = [
    "KINDS",
    "STATUSES",
    "STATUS_TO_BE_FILED",
    "STATUS_FILED",
    "STATUS_CHANGED",
    "FILED_FIELDS",
    "EXPORT_COLUMNS",
    "FORMATS",
    "normalize_phone",
    "valid_phone",
    "valid_email",
    "changed_fields",
    "status_after_update",
    "can_file",
    "export_rows",
    "to_csv",
    "to_xlsx",
    "export_payload",
    "payload_bytes",
]

TZ = ZoneInfo("Asia/Shanghai")

#: the kinds of responsible person, in display order
KINDS: dict[str, Label] = {
    "lead": Label("数据共享负责人", "Responsible lead"),
    "share_manager": Label("数据共享管理员", "Sharing manager"),
    "contact": Label("数据共享联络员", "Contact person"),
    "security_officer": Label("数据安全管理责任人", "Security officer"),
}

STATUS_TO_BE_FILED = "to_be_filed"
STATUS_FILED = "filed"
STATUS_CHANGED = "changed_to_be_refiled"

STATUSES: dict[str, Label] = {
    STATUS_TO_BE_FILED: Label("待备案", "To be filed"),
    STATUS_FILED: Label("已备案", "Filed"),
    STATUS_CHANGED: Label("变更待备案", "Changed, to be re-filed"),
}

#: the filed content: a change to any of these after filing requires re-filing
FILED_FIELDS = ("name", "title", "unit", "phone", "email", "effective_date")

FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}

#: (key, Chinese header) of the export, in column order; the header reads ``中文 (key)``
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("organization", "部门名称"),
    ("uscc", "统一社会信用代码"),
    ("kind", "备案类别"),
    ("name", "姓名"),
    ("title", "职务"),
    ("unit", "所在处室"),
    ("phone", "联系电话"),
    ("email", "电子邮箱"),
    ("effective_date", "生效日期"),
    ("status", "备案状态"),
    ("filed_at", "备案时间"),
    ("receipt", "备案回执号"),
)

_MOBILE = re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$")
_LANDLINE = re.compile(
    r"^(?:\+?86-?)?(?:\(0\d{2,3}\)|0\d{2,3}-?)[1-9]\d{6,7}(?:(?:-|转|ext\.?)\d{1,6})?$",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def normalize_phone(value: str) -> str:
    """Drop blanks and normalise full-width digits and brackets (``（０３５１）`` → ``(0351)``)."""
    value = value.translate({0xFF08: "(", 0xFF09: ")", 0xFF0B: "+", 0xFF0D: "-"})
    value = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in value)
    return re.sub(r"\s+", "", value)


def valid_phone(value: str) -> bool:
    """A mainland mobile number or a landline with area code (optional extension)."""
    phone = normalize_phone(value)
    return bool(_MOBILE.match(phone) or _LANDLINE.match(phone))


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The filed fields whose value differs between two records (blank and ``None`` are equal)."""
    return [f for f in FILED_FIELDS if (old.get(f) or None) != (new.get(f) or None)]


def status_after_update(status: str, changed: Iterable[str]) -> str:
    """A filed record whose filed content changed must be filed again; otherwise unchanged."""
    # DB14 §4 c), §11.2: the persons on file with the platform's administration are the current
    # ones, so a change of what was filed is filed again
    if status == STATUS_FILED and any(True for _ in changed):
        return STATUS_CHANGED
    return status


def can_file(status: str) -> bool:
    return status in (STATUS_TO_BE_FILED, STATUS_CHANGED)


# -- export ---------------------------------------------------------------------------------------


def _local(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(TZ).replace(tzinfo=None, microsecond=0)


def _date(value: Any) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def export_rows(
    filings: Iterable[Mapping[str, Any]], departments: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Export rows from filing dicts and ``{org_id: {"title", "uscc"}}``.

    Kinds and statuses become their Chinese labels, dates :class:`datetime.date`, the filing
    time a naive :class:`datetime.datetime` in Beijing time. Ordered by department, then kind.
    """
    order = {kind: i for i, kind in enumerate(KINDS)}
    rows = []
    for f in filings:
        dept = departments.get(f["organization_id"], {})
        rows.append({
            "organization": dept.get("title") or f["organization_id"],
            "uscc": dept.get("uscc") or "",
            "kind": KINDS[f["kind"]].zh,
            "name": f["name"],
            "title": f.get("title") or "",
            "unit": f.get("unit") or "",
            "phone": f["phone"],
            "email": f["email"],
            "effective_date": _date(f.get("effective_date")),
            "status": STATUSES[f["status"]].zh,
            "filed_at": _local(f.get("filed_at")),
            "receipt": f.get("receipt") or "",
            "_order": (dept.get("title") or "", f["organization_id"], order[f["kind"]]),
        })
    rows.sort(key=lambda r: r["_order"])
    for row in rows:
        del row["_order"]
    return rows


def _header() -> list[str]:
    return [f"{zh} ({key})" for key, zh in EXPORT_COLUMNS]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV text (header + one line per row); encode with ``utf-8-sig`` for spreadsheet apps."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header())
    for row in rows:
        writer.writerow([_text(row.get(key)) for key, _zh in EXPORT_COLUMNS])
    return out.getvalue()


def to_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """An XLSX workbook with one sheet ``负责人备案``, written in openpyxl's write-only mode."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("负责人备案")
    widths = {"organization": 28, "uscc": 22, "email": 28, "filed_at": 20, "receipt": 20}
    header_row(ws, _header(), {i: widths[key] for i, (key, _zh) in enumerate(EXPORT_COLUMNS)
                               if key in widths}, 14)
    for row in rows:
        cells = []
        for key, _zh in EXPORT_COLUMNS:
            value = row.get(key)
            cell = WriteOnlyCell(ws, value=value if value not in (None, "") else None)
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.number_format = "@"  # codes and phone numbers stay text
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_payload(rows: list[Mapping[str, Any]], fmt: str, stem: str) -> dict[str, Any]:
    """The JSON-safe result of ``govshare_filing_export``.

    ``{"format", "filename", "mimetype", "encoding", "data", "count"}``: ``data`` is the CSV
    text (``encoding`` ``utf-8``) or the base64 of the XLSX bytes (``encoding`` ``base64``).
    :func:`payload_bytes` turns it into the bytes of a file.
    """
    mimetype, ext = FORMATS[fmt]
    if fmt == "csv":
        data, encoding = to_csv(rows), "utf-8"
    else:
        data, encoding = base64.b64encode(to_xlsx(rows)).decode("ascii"), "base64"
    return {
        "format": fmt,
        "filename": f"{stem}.{ext}",
        "mimetype": mimetype,
        "encoding": encoding,
        "data": data,
        "count": len(rows),
    }


def payload_bytes(payload: Mapping[str, Any]) -> bytes:
    """The file content of an export payload (CSV with a UTF-8 BOM, so Excel reads Chinese)."""
    if payload["encoding"] == "base64":
        return base64.b64decode(payload["data"])
    return payload["data"].encode("utf-8-sig")
