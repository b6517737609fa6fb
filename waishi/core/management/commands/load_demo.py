from django.core.management.base import BaseCommand
from django.db import transaction

from waishi.directory.demo import load_directory
from waishi.partners.demo import load_partners
from waishi.passports.demo import load_documents
from waishi.passports.models import TravelDocument
from waishi.travel.demo import load_trips
from waishi.travel.models import Trip
from waishi.users.demo import DEMO_PASSWORD, load_accounts


class Command(BaseCommand):
    help = "Build the demo province (idempotent): organizations, people, countries, one account per role."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_directory()
            accounts = load_accounts()
            load_trips()
            load_documents()
            partners = load_partners()
        self.stdout.write(
            f"Demo data: {counts['organizations']} organizations, {counts['people']} people, "
            f"{counts['countries']} countries and regions, {Trip.objects.count()} outbound trips, "
            f"{TravelDocument.objects.count()} travel documents, {partners['partnerships']} partnerships."
        )
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for username, organization, roles in accounts:
            self.stdout.write(f"  {username:<12} {organization:<16} {roles}")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in.")
