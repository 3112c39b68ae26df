"""The one place the web layer reads the time; cores take ``now`` as an argument."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.utils import timezone

# Non-zero only inside ``shifted_to``; a context variable, so other threads and requests never see it.
_offset: ContextVar[timedelta] = ContextVar("microcred_clock_offset", default=timedelta(0))


def now() -> datetime:
    return timezone.now() + _offset.get()


@contextmanager
def shifted_to(moment: datetime) -> Iterator[None]:
    """Run the enclosed code as if the clock read ``moment`` on entry, and ran on from there.

    For replaying a past history through the real services (the demo loader's learner who
    qualified two years ago), so every record they write is dated consistently; no request
    handling ever runs inside it.
    """
    token = _offset.set(moment - timezone.now())
    try:
        yield
    finally:
        _offset.reset(token)
