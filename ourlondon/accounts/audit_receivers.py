"""Signals from Django, allauth and axes, written to the audit log.

Signals are the only hook these libraries offer for logins; each receiver only
records, it decides nothing.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from ourlondon.accounts.security import login_identifier
from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent

Action = AuditEvent.Action


def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_event(Action.LOGIN, actor=user, obj=user, request=request)


def _logged_out(
    sender: Any, request: HttpRequest, user: Any = None, **kwargs: Any
) -> None:
    if user is not None:
        record_event(Action.LOGOUT, actor=user, obj=user, request=request)


def _login_failed(
    sender: Any,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    # The address typed, not the password (Django has already masked it).
    typed = login_identifier(request, credentials) if request else ""
    record_event(
        Action.LOGIN_FAILED,
        actor=AnonymousUser(),
        actor_label=typed,
        object_type="auth.user",
        request=request,
    )


def _locked_out(
    sender: Any,
    request: HttpRequest,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    record_event(
        Action.LOCKED_OUT,
        actor=AnonymousUser(),
        actor_label=username or "",
        object_type="auth.user",
        note=f"Too many failed logins from {ip_address}",
        request=request,
    )


def _mfa_changed(verb: str) -> Any:
    def receiver(
        sender: Any,
        request: HttpRequest | None = None,
        user: Any = None,
        authenticator: Any = None,
        **kwargs: Any,
    ) -> None:
        kind = getattr(authenticator, "type", "")
        record_event(
            Action.MFA,
            actor=user,
            obj=user,
            note=f"{kind} {verb}".strip(),
            request=request,
        )

    return receiver


_mfa_added = _mfa_changed("added")
_mfa_removed = _mfa_changed("removed")


def _password_event(note: str) -> Any:
    def receiver(
        sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
    ) -> None:
        record_event(Action.UPDATE, actor=user, obj=user, note=note, request=request)

    return receiver


_password_changed = _password_event("password changed")
_password_reset = _password_event("password reset")


def connect() -> None:
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    auth_signals.user_login_failed.connect(
        _login_failed, dispatch_uid="audit-login-failed"
    )
    user_locked_out.connect(_locked_out, dispatch_uid="audit-locked-out")
    mfa_signals.authenticator_added.connect(_mfa_added, dispatch_uid="audit-mfa+")
    mfa_signals.authenticator_removed.connect(_mfa_removed, dispatch_uid="audit-mfa-")
    account_signals.password_changed.connect(
        _password_changed, dispatch_uid="audit-password-changed"
    )
    account_signals.password_reset.connect(
        _password_reset, dispatch_uid="audit-password-reset"
    )
