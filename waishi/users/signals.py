"""Authentication events into the audit log (QUALITY.md line 8): cross-cutting, not business logic."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from waishi.core.audit import audit
from waishi.core.choices import AuditResult


@receiver(user_logged_in, dispatch_uid="waishi.audit.login")
def on_login(sender, request, user, **kwargs):
    audit("auth.login", user=user)


@receiver(user_login_failed, dispatch_uid="waishi.audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    audit(
        "auth.login_failed", result=AuditResult.FAILURE, username=str(credentials.get("username", ""))[:150]
    )


@receiver(user_logged_out, dispatch_uid="waishi.audit.logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit("auth.logout", user=user)
