"""System checks for the process as a whole."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register

from ourlondon.core import clock


@register()
def clock_is_real(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A moved clock is for tests and previews: say so wherever it is set."""
    if not clock.travelling():
        return []
    return [
        Warning(
            f"{clock.ENV_VAR} is set: this process runs as if it were "
            f"{clock.local_now():%d %B %Y %H:%M} in London, not the real time.",
            hint=f"Unset {clock.ENV_VAR} outside tests and previews.",
            id="core.W001",
        )
    ]
