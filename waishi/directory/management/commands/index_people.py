from django.core.management.base import BaseCommand

from waishi.directory.models import Person
from waishi.directory.search import CHUNK, index_people


class Command(BaseCommand):
    help = "Rebuild the name search tokens of every person (after people were written in bulk)."

    def handle(self, *args, **options):
        count = 0
        batch = []
        for person in Person.objects.only("pk", "name", "pinyin", "initials").iterator(chunk_size=CHUNK):
            batch.append(person)
            if len(batch) == CHUNK:
                index_people(batch)
                count, batch = count + len(batch), []
        index_people(batch)
        self.stdout.write(f"indexed {count + len(batch)} people")
