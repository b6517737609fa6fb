import functools
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext, override

from waishi.core import services
from waishi.core.navigation import work_queue
from waishi.users.models import User


class Command(BaseCommand):
    help = "Send each user the daily digest of items due within the coming days or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the digests, send nothing")
        parser.add_argument("--days", type=int, default=3, help="include items due within this many days")

    def handle(self, *args, dry_run=False, days=3, **options):
        horizon = timezone.localdate() + timedelta(days=days)
        sent = 0
        with override(settings.LANGUAGE_CODE):
            for user in User.objects.filter(is_active=True).select_related("organization"):
                items = [
                    i for i in work_queue(user).items if i.overdue or (i.due is not None and i.due <= horizon)
                ]
                if not items:
                    continue
                lines = [f"{'!' if i.overdue else '-'} {date_format(i.due)} {i.title}" for i in items]
                title = ngettext(
                    "%(count)d item due or overdue", "%(count)d items due or overdue", len(items)
                ) % {"count": len(items)}
                if dry_run:
                    self.stdout.write(f"{user.username}: {title}\n  " + "\n  ".join(lines))
                    continue
                body = "\n".join(lines)
                with transaction.atomic():
                    services.notify(recipients=[user], title=title, body=body, url="/")
                    if user.email:
                        transaction.on_commit(
                            functools.partial(send_mail, title, body, None, [user.email], fail_silently=True)
                        )
                sent += 1
        self.stdout.write(f"digests: {sent}" if not dry_run else "dry run: nothing sent")
