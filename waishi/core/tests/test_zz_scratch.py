import io, threading
import pytest
from django.db import connection
from waishi.core import services, audit as A
from waishi.core.models import AuditLog
from waishi.core.errors import NotAllowed
from waishi.core.testing.factories import PersonFactory, OrganizationFactory
from waishi.directory.models import Person, Organization


def test_denied_audit_survives(world):
    p = PersonFactory(organization=world.unit_a)
    viewer = world.user("viewer")
    with pytest.raises(NotAllowed):
        services.model_create(actor=viewer, obj=Person(organization=world.unit_a, name="x", gender="male"))
    print("rows", list(AuditLog.objects.values_list("action", flat=True)))


def test_bad_zip(world):
    from waishi.directory.importers import PersonImporter
    try:
        PersonImporter().run(actor=world.user("fao_staff"), fileobj=io.BytesIO(b"hello world"))
    except Exception as e:
        print("EXC", type(e), e)


def test_export_formula_in_org(client, world):
    from openpyxl import load_workbook
    org = OrganizationFactory(parent=world.city_a, name="=HYPERLINK(1)", code="evil")
    PersonFactory(organization=org, name="=1+1")
    client.force_login(world.user("fao_staff"))
    r = client.get("/directory/people/export/")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    for row in wb.worksheets[0].iter_rows(values_only=True):
        print(row)


def test_nul_export(client, world):
    client.force_login(world.user("fao_staff"))
    r = client.get("/directory/people/export/?q=%00")
    print("status", r.status_code)


@pytest.mark.django_db(transaction=True)
def test_threads():
    errors = []
    def work():
        try:
            for i in range(10):
                A.audit("t.x", detail={"i": i})
        except Exception as e:
            errors.append(repr(e))
        finally:
            connection.close()
    ts = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in ts]; [t.join() for t in ts]
    print(errors, AuditLog.objects.count(), A.verify())


def test_bignum(db):
    A.audit("x", detail={"v": 1e20, "w": 1.5, "z": 10**20})
    print(A.verify())

def test_flip():
    from waishi.core.crypto import provider, DecryptionError
    p = provider()
    undetected = 0
    for _ in range(20):
        tok = p.encrypt("1101051949123100")
        for i in range(len(tok)):
            b = bytearray(tok.encode()); b[i] ^= 1
            try:
                p.decrypt(b.decode("latin-1"))
                undetected += 1; print("undetected", i, len(tok), tok[i-2:], chr(b[i]))
            except DecryptionError:
                pass
            except Exception as e:
                print("other", type(e), i)
    print("undetected", undetected)
