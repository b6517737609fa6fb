import datetime

from waishi.directory.demo import load_directory
from waishi.passports.choices import DocumentState
from waishi.passports.demo import load_documents
from waishi.passports.models import TravelDocument
from waishi.passports.selectors import collection_rate, custody_rate
from waishi.travel.demo import load_trips
from waishi.travel.models import Trip
from waishi.travel.rules import check
from waishi.users.demo import load_accounts
from waishi.users.models import User

TODAY = datetime.date(2026, 11, 22)


def test_demo_ledger_matches_the_seed_and_shows_a_locked_unit(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_directory()
    load_accounts()
    load_trips(today=TODAY)
    assert load_documents(today=TODAY) > 0
    assert load_documents(today=TODAY) == 0  # idempotent
    officer = User.objects.get(username="passport")
    collection, _ = collection_rate(officer, datetime.date(2023, 1, 1), datetime.date(2023, 11, 30))
    assert (collection.numerator, collection.denominator) == (40, 40)  # 42 person-times, 2 did not travel
    custody, _ = custody_rate(officer, TODAY)
    assert custody.numerator == custody.denominator > 0
    overdue = TravelDocument.objects.with_state(TODAY).filter(state=DocumentState.OVERDUE).get()
    assert overdue.due_date < TODAY - datetime.timedelta(days=30)
    draft = Trip.objects.filter(applicant_unit=overdue.person.organization).first()
    if draft is not None:
        assert "unit.locked" in {f.code for f in check(draft)}
