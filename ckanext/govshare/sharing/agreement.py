"""The security agreement (安全协议, DB14 §11.1 •2) of an authorization: its text, generated
from a template with the authorization's terms, its SHA-256 checksum and the check that
neither the text nor the terms changed since.

Pure (no database, no CKAN): :mod:`~ckanext.govshare.sharing.authorizations` gathers the
terms (:func:`terms` names them), stores :func:`generate`'s record in the authorization's
``agreement`` column, records each side's acceptance there and asks :func:`problems` before
an acceptance and before every download (:func:`document`).

The agreement is a document between two departments, written in Chinese whatever the page's
language, so that its text — and therefore its checksum — is one and the same for both sides;
the pages around it are translated as usual.
"""
from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ALGORITHM", "CONSUMER", "OBLIGATIONS", "PROVIDER", "SIDES", "TERM_COLUMNS", "VERSION",
    "accepted_by", "checksum", "complete", "document", "filename", "generate", "problems",
    "render", "terms",
]

#: the version of the template (stored with each agreement; a new template does not change
#: the text of agreements already generated)
VERSION = 1
ALGORITHM = "sha256"

#: the two sides that accept an agreement
CONSUMER = "consumer"  # 乙方: the consuming department (its reviewer, or the requester)
PROVIDER = "provider"  # 甲方: the providing department (its reviewer or security officer)
SIDES = (PROVIDER, CONSUMER)

#: the authorization's columns an agreement states: a later change of any of them (there is
#: no legitimate one: a renewal is a new authorization) breaks the agreement
TERM_COLUMNS = ("entry_id", "provider_org", "consumer_org", "persons", "items", "purpose",
                "scenario", "region", "usage_scope", "provision_method", "valid_from",
                "valid_until")

#: the security obligations (安全义务) every agreement states, after DB14 §11.1 (谁管理谁负责、
#: 谁使用谁负责) and the sharing conditions of domain reference C.4 R2
OBLIGATIONS: tuple[str, ...] = (
    "乙方按照“谁使用谁负责”的原则承担所获共享数据的安全责任，仅在本协议约定的用途、应用场景、"
    "地域、知悉范围和使用范围内使用数据，不得超出范围使用，不得向任何第三方提供、转让或公开。",
    "乙方应当建立数据安全管理制度，采取访问控制、加密传输、日志审计等必要的管理和技术措施，"
    "防止数据泄露、篡改、丢失和滥用。",
    "乙方仅限本协议所列知悉人员接触数据；人员变动时应当及时告知甲方并停止相关人员的访问。",
    "授权到期、暂停或撤销后，乙方应当立即停止使用，并按甲方要求删除或封存已获取的数据。",
    "发生或者可能发生数据安全事件时，乙方应当立即采取处置措施，并及时告知甲方和有关主管部门。",
    "甲方按照“谁管理谁负责”的原则保障所提供数据来源合法、分级准确，按约定的提供方式提供数据，"
    "并记录数据访问情况。",
    "目录条目下线、共享属性收紧或数据分级提高时，甲方可以暂停本授权；乙方违反本协议的，"
    "甲方可以撤销本授权，并依法依规追究相关责任。",
)

_TEMPLATE = """\
政务数据共享安全协议

协议编号：{number}
模板版本：{version}
生成时间：{generated}（北京时间）

甲方（数据提供方）：{provider}
乙方（数据使用方）：{consumer}

根据《政务数据共享 部门内部管理规范》第11.1条，甲乙双方就下列共享数据的使用订立本协议。

第一条 共享数据
  目录名称：{entry_title}
  资源代码：{resource_code}
  数据分级：{grade}
  授权信息项：{items}

第二条 用途与应用场景
  用途：{purpose}
  应用场景：{scenario}

第三条 使用方身份、地域与知悉范围
  使用部门：{consumer}
  知悉人员：{persons}
  地域：{region}
  使用范围：{usage_scope}

第四条 提供方式
  {provision_method}

第五条 有效期
  自 {valid_from} 起至 {valid_until} 止（北京时间）。

第六条 安全义务
{obligations}

第七条 生效
  本协议经甲乙双方分别确认后生效，授权自双方均确认之日起生效；授权到期、被撤销时本协议终止。
  本协议文本的校验码（SHA-256）随文本一并保存，文本或授权条件的任何改动都将使校验失败。
"""

_BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def _moment(value: Any) -> str:
    """A timestamp (datetime or ISO text) as Beijing time to the minute."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if not isinstance(value, datetime.datetime):
        return str(value or "")
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M")


def _or_blank(value: Any, blank: str = "（未填写）") -> str:
    text = str(value or "").strip()
    return text or blank


def _canonical(name: str, value: Any) -> Any:
    """A term column's value in the one form the record keeps and compares."""
    if name in ("persons", "items"):
        return [str(v) for v in (value or [])]
    if name in ("valid_from", "valid_until"):
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=datetime.timezone.utc)
            return value.astimezone(datetime.timezone.utc).isoformat()
        return None
    return None if value is None else str(value)


def terms(columns: Mapping[str, Any], *, number: str, provider: str, consumer: str,
          entry_title: str, resource_code: str | None, grade: str | None,
          person_names: Sequence[str], provision_method: str) -> dict[str, Any]:
    """The terms an agreement states: the authorization's :data:`TERM_COLUMNS` (from
    ``columns``, canonical) and the names to print (departments, entry, persons, the labels
    of the grade and of the provision method, as they read when it is generated)."""
    out: dict[str, Any] = {name: _canonical(name, columns.get(name)) for name in TERM_COLUMNS}
    out["display"] = {
        "number": number, "provider": provider, "consumer": consumer,
        "entry_title": entry_title, "resource_code": resource_code or "",
        "grade": grade or "", "persons": list(person_names),
        "provision_method": provision_method,
    }
    return out


def render(record_terms: Mapping[str, Any], generated: Any) -> str:
    """The agreement's text for ``record_terms`` (:func:`terms`), generated at ``generated``."""
    shown = record_terms["display"]
    persons = "、".join(shown.get("persons") or []) or f"{shown['consumer']}全体工作人员"
    items = "、".join(record_terms.get("items") or []) or "全部信息项"
    obligations = "\n".join(f"  {n}. {text}" for n, text in enumerate(OBLIGATIONS, start=1))
    return _TEMPLATE.format(
        number=shown["number"], version=VERSION, generated=_moment(generated),
        provider=shown["provider"], consumer=shown["consumer"],
        entry_title=shown["entry_title"], resource_code=_or_blank(shown.get("resource_code")),
        grade=_or_blank(shown.get("grade")), items=items,
        purpose=_or_blank(record_terms.get("purpose")),
        scenario=_or_blank(record_terms.get("scenario")), persons=persons,
        region=_or_blank(record_terms.get("region")),
        usage_scope=_or_blank(record_terms.get("usage_scope")),
        provision_method=_or_blank(shown.get("provision_method")),
        valid_from=_moment(record_terms.get("valid_from")),
        valid_until=_moment(record_terms.get("valid_until")), obligations=obligations,
    )


def checksum(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def generate(record_terms: Mapping[str, Any], generated: datetime.datetime) -> dict[str, Any]:
    """A new agreement record (the value of ``govshare_authorization.agreement``): template
    version, number, terms, text and checksum; accepted by neither side yet."""
    text = render(record_terms, generated)
    return {
        "version": VERSION, "number": record_terms["display"]["number"],
        "generated_at": generated.isoformat(), "terms": dict(record_terms), "text": text,
        "algorithm": ALGORITHM, "checksum": checksum(text),
        "accepted": {side: None for side in SIDES},
    }


def problems(record: Mapping[str, Any] | None, columns: Mapping[str, Any]) -> list[str]:
    """What no longer matches in agreement ``record`` against the authorization's current
    ``columns``: ``"checksum"`` (the text is not the text that was checksummed), ``"terms"``
    (the authorization's terms differ from those the agreement states), ``"acceptance"`` (a
    side accepted another text). Empty: the agreement holds."""
    if not record:
        return []
    found: list[str] = []
    text = record.get("text") or ""
    if checksum(text) != record.get("checksum"):
        found.append("checksum")
    stated = record.get("terms") or {}
    if any(_canonical(n, columns.get(n)) != stated.get(n) for n in TERM_COLUMNS):
        found.append("terms")
    for side in SIDES:
        accepted = (record.get("accepted") or {}).get(side)
        if accepted and accepted.get("checksum") != record.get("checksum"):
            found.append("acceptance")
            break
    return found


def accepted_by(record: Mapping[str, Any] | None, side: str) -> dict[str, Any] | None:
    """The acceptance of ``side`` (``{"user", "at", "checksum"}``), or ``None``."""
    if not record:
        return None
    return (record.get("accepted") or {}).get(side) or None


def complete(record: Mapping[str, Any] | None) -> bool:
    """Whether both sides accepted the agreement (no agreement: nothing to accept)."""
    if not record:
        return True
    return all(accepted_by(record, side) for side in SIDES)


def filename(record: Mapping[str, Any]) -> str:
    """The download's file name."""
    return f"{record.get('number') or 'agreement'}.txt"


def document(record: Mapping[str, Any], signatories: Mapping[str, str]) -> bytes:
    """The downloadable document (UTF-8 text): the agreement's text, then its checksum and
    each side's acceptance (``signatories``: side → the accepting person's name). The lines
    after the text are not part of what the checksum covers."""
    lines = [record.get("text") or "", "-" * 60,
             f"校验码（{ALGORITHM.upper()}）：{record.get('checksum')}"]
    for side, title in ((PROVIDER, "甲方确认"), (CONSUMER, "乙方确认")):
        accepted = accepted_by(record, side)
        if accepted:
            who = signatories.get(side) or accepted.get("user") or ""
            lines.append(f"{title}：{who}，{_moment(accepted.get('at'))}（北京时间）")
        else:
            lines.append(f"{title}：（尚未确认）")
    return ("\n".join(lines) + "\n").encode("utf-8")
