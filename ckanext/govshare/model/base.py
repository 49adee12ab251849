"""What every govshare table shares: the clock its timestamps are read from.

Code reads the clock as ``base.now()`` (never ``from ... import now``), so a test pins the
portal's clock in one place: ``monkeypatch.setattr(base, "now", ...)``. Column defaults bind
``now`` when the models are defined and keep the real clock.
"""
from __future__ import annotations

import datetime


def now() -> datetime.datetime:
    """The current time, timezone-aware (UTC); every govshare timestamp is written with it."""
    return datetime.datetime.now(datetime.timezone.utc)
