"""What each role may do: Django permissions ("app.codename") granted to the group of that name.

Business roles see and change records inside their organization's subtree (``restrict``); the three
administrators of MLPS have disjoint rights and none reads business or personal data. Modules add
their permissions here when they add models.
"""

from django.contrib.auth.models import Group, Permission

from waishi.users.choices import Role

REFERENCE_READ = {"directory.view_organization", "directory.view_country", "directory.view_city"}
TRAVEL_READ = {"travel.view_trip", "travel.view_planentry", "travel.view_perdiemrate"}
PARTNERS_READ = {"partners.view_partnership", "partners.view_partnerexchange", "partners.view_target"}
PARTNERS_KEEP = PARTNERS_READ | {
    "partners.add_partnership",
    "partners.change_partnership",
    "partners.add_partnerexchange",
    "partners.change_partnerexchange",
    "partners.delete_partnerexchange",
}
DOCUMENTS_READ = {"passports.view_traveldocument"}
STATISTICS_READ = {"travel.view_statistics"}  # an office's figures: the roles of an FAO, not a unit's
DOCUMENTS_KEEP = DOCUMENTS_READ | {
    "passports.add_traveldocument",
    "passports.change_traveldocument",
    "passports.keep_traveldocument",
    "passports.reveal_traveldocument",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.UNIT_CLERK: REFERENCE_READ
    | TRAVEL_READ
    | DOCUMENTS_READ
    | {
        "directory.view_person",
        "directory.add_person",
        "directory.change_person",
        "directory.add_city",
        "travel.add_trip",
        "travel.change_trip",
        "travel.submit_trip",
        "travel.report_trip",
        "travel.add_planentry",
        "travel.change_planentry",
        "travel.delete_planentry",
    },
    Role.UNIT_LEADER: REFERENCE_READ
    | TRAVEL_READ
    | DOCUMENTS_READ
    | {"directory.view_person", "travel.sign_off_trip"},
    Role.FAO_STAFF: REFERENCE_READ
    | PARTNERS_KEEP
    | {
        "partners.reveal_partnership",
        "directory.add_organization",
        "directory.change_organization",
        "directory.view_person",
        "directory.add_person",
        "directory.change_person",
        "directory.reveal_person",
        "directory.add_city",
        "directory.change_city",
        "travel.review_trip",
        "travel.add_perdiemrate",
        "travel.change_perdiemrate",
        "travel.delete_perdiemrate",
    }
    | TRAVEL_READ
    | DOCUMENTS_READ
    | STATISTICS_READ,
    Role.FAO_LEADER: REFERENCE_READ
    | PARTNERS_READ
    | {
        "partners.add_target",
        "partners.change_target",
        "partners.delete_target",
        "partners.reveal_partnership",
    }
    | TRAVEL_READ
    | DOCUMENTS_READ
    | STATISTICS_READ
    | {
        "travel.approve_trip",
        "directory.view_person",
        "directory.reveal_person",
        "core.view_officesetting",
        "core.change_officesetting",
    },
    Role.PASSPORT_OFFICER: REFERENCE_READ
    | TRAVEL_READ
    | DOCUMENTS_KEEP
    | STATISTICS_READ
    | {"directory.view_person", "directory.reveal_person"},
    Role.VIEWER: REFERENCE_READ
    | TRAVEL_READ
    | DOCUMENTS_READ
    | PARTNERS_READ
    | STATISTICS_READ
    | {"directory.view_person"},
    Role.SYSTEM_ADMIN: REFERENCE_READ
    | {
        "directory.add_organization",
        "directory.change_organization",
        "directory.change_country",
        "directory.add_city",
        "directory.change_city",
        "directory.delete_city",
        "users.view_user",
        "users.add_user",
        "users.change_user",
        "core.view_workdayoverride",
        "core.add_workdayoverride",
        "core.change_workdayoverride",
        "core.delete_workdayoverride",
        "core.view_officesetting",
        "core.change_officesetting",
    },
    Role.SECURITY_ADMIN: {
        "directory.view_organization",
        "users.view_user",
        "users.assign_roles",
        "users.reset_second_factor_user",
        "auth.view_group",
    },
    Role.AUDIT_ADMIN: {"core.view_auditlog", "core.view_changelog"},
}


def _permissions(codes: set[str]) -> list[Permission]:
    pairs = [code.split(".", 1) for code in codes]
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in pairs}, codename__in={name for _, name in pairs}
    ).select_related("content_type")
    return [p for p in found if f"{p.content_type.app_label}.{p.codename}" in codes]


def sync_roles(**kwargs) -> None:
    """Create a group per role and give it exactly the permissions declared above."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(_permissions(ROLE_PERMISSIONS[role]))
