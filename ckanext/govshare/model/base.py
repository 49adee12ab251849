"""What every govshare table shares: the clock its timestamps are read from."""
from __future__ import annotations

import datetime


def now() -> datetime.datetime:
    """The current time, timezone-aware (UTC); every govshare timestamp is written with it."""
    return datetime.datetime.now(datetime.timezone.utc)
