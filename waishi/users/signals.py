"""Authentication events into the audit log (QUALITY.md line 8): cross-cutting, not business logic."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from waishi.core.audit import audit
from waishi.core.choices import AuditResult
from waishi.core.middleware import SESSION_STARTED


@receiver(user_logged_in, dispatch_uid="waishi.audit.login")
def on_login(sender, request, user, **kwargs):
    audit("auth.login", user=user)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED] = int(time.time())  # for the absolute lifetime


@receiver(user_login_failed, dispatch_uid="waishi.audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    audit(
        "auth.login_failed", result=AuditResult.FAILURE, username=str(credentials.get("username", ""))[:150]
    )


@receiver(user_logged_out, dispatch_uid="waishi.audit.logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit("auth.logout", user=user)


@receiver(user_locked_out, dispatch_uid="waishi.audit.lockout")
def on_lockout(sender, request, username, ip_address, **kwargs):
    audit("auth.lockout", result=AuditResult.DENIED, username=str(username or "")[:150])
