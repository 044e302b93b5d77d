"""Login records are kept `LOGIN_RECORDS_DAYS` (90 by default), then removed.

Axes keeps three kinds: access logs (each login and logout, with IP and user
agent), access failure logs, and attempts (the counters behind a lockout). Its
own handler methods remove old logs (the same ones its `axes_reset_logs` and
`axes_reset_failure_logs` commands call); attempts it only clears entirely
(`axes_reset`), so old ones are removed here by their last attempt time. The
audit log's own login events are kept: it is the record of who did what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings

from ourlondon.core import clock


@dataclass(frozen=True)
class Purged:
    access_logs: int
    failure_logs: int
    attempts: int


def purge_login_records(*, days: int | None = None) -> Purged:
    days = settings.LOGIN_RECORDS_DAYS if days is None else days
    if days < 1:
        raise ValueError("Keep login records at least one day.")
    access_logs = AxesProxyHandler.reset_logs(age_days=days)
    failure_logs = AxesProxyHandler.reset_failure_logs(age_days=days)
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lte=clock.now() - timedelta(days=days)
    ).delete()
    return Purged(access_logs, failure_logs, attempts)
