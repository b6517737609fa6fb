"""One demo account per role (API.md role codes), all with the same demo password."""

from django.db import transaction

from waishi.directory.models import Organization
from waishi.users import services
from waishi.users.models import User

DEMO_PASSWORD = "Waishi@2026"  # noqa: S105  (the documented demo password, printed by load_demo)

# username, full name, organization code, roles
ACCOUNTS = [
    ("clerk", "刘晓燕", "jdz-jcu", ["unit_clerk"]),
    ("leader", "陈建国", "jdz-jcu", ["unit_leader"]),
    ("staff", "周敏", "jdz-fao", ["fao_staff"]),
    ("director", "严培", "jdz-fao", ["fao_leader"]),
    ("passport", "吴丽华", "jdz-fao", ["passport_officer"]),
    ("viewer", "孙浩", "jdz-fao", ["viewer"]),
    ("cq-clerk", "何静", "cq-cqu", ["unit_clerk"]),
    ("cq-staff", "杨帆", "cq-fao", ["fao_staff"]),
    ("cq-director", "黄志强", "cq-fao", ["fao_leader"]),
    ("province", "郑国华", "prov-fao", ["fao_leader"]),
    ("sysadmin", "系统管理员", "prov-fao", ["system_admin"]),
    ("secadmin", "安全管理员", "prov-fao", ["security_admin"]),
    ("auditor", "审计管理员", "prov-fao", ["audit_admin"]),
]


@transaction.atomic
def load_accounts() -> list[tuple[str, str, str]]:
    """Create the accounts that do not exist yet; return (username, organization, roles) for each."""
    organizations = {o.code: o for o in Organization.objects.filter(code__in={a[2] for a in ACCOUNTS})}
    rows = []
    for username, name, code, roles in ACCOUNTS:
        if not User.objects.filter(username=username).exists():
            user = User(username=username, last_name=name, organization=organizations[code])
            services.user_create(actor=None, user=user, password=DEMO_PASSWORD, roles=roles)
        rows.append((username, organizations[code].short_name or organizations[code].name, ",".join(roles)))
    return rows
