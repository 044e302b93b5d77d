"""System checks (`manage.py check`, and before `migrate` and the server start)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError


@register()
def school_holidays_ahead(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn while the school holidays held end less than six months ahead."""
    from ourlondon.catalogue.taxonomy import holidays_running_out

    try:
        warning = holidays_running_out()
    except DatabaseError:
        # Not migrated yet (checks run before `migrate`): nothing to say.
        return []
    if warning is None:
        return []
    return [Warning(warning, id="catalogue.W001")]
