"""Answers kept while the session's transaction lasts.

A page or an action asks the same questions many times (every entry of a search page asks the
user's memberships, roles and authorizations; a lifecycle step asks the actor's roles in the
entry's department at each guard): they are read once per transaction instead. Anything the
session writes (a flush) forgets them, as does the transaction's end, so no answer outlives
the rows it was read from within the session that reads it.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import ckan.model as model
import sqlalchemy as sa

_KEY = "_govshare_memo"
T = TypeVar("T")


def kept(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``key`` for the current transaction of ``model.Session``."""
    session = model.Session()
    transaction = session.get_transaction()
    held = session.info.get(_KEY)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[_KEY] = held
    if key not in held[1]:
        held[1][key] = compute()
    return held[1][key]


def forget() -> None:
    """Forget this transaction's answers (a flush does it too; for a write that bypassed the
    session)."""
    model.Session().info.pop(_KEY, None)


def _forget_on_flush(session: Any, _flush_context: Any) -> None:
    session.info.pop(_KEY, None)


sa.event.listen(model.Session, "after_flush", _forget_on_flush)
