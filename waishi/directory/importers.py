"""Excel column maps for the directory (see core.excel)."""

from waishi.core.excel import Column, Importer
from waishi.directory.forms import OrganizationForm, PersonForm
from waishi.directory.models import Organization, Person
from waishi.directory.search import index_people


class OrganizationImporter(Importer):
    """Row by row: ``Organization.save()`` derives the path from the superior and moves the subtree."""

    model = Organization
    bulk = False
    form_class = OrganizationForm
    key = ("code",)
    columns = [
        Column("code", required=True),
        Column("name", required=True),
        Column("short_name"),
        Column("doc_code"),
        Column("kind", required=True),
        Column("level", required=True),
        Column("parent", lookup="code"),
    ]


class PersonImporter(Importer):
    """People are matched on name and organization together with the birth date; written in bulk with
    their pinyin and search tokens."""

    model = Person
    form_class = PersonForm
    key = ("name", "organization", "birth_date")
    columns = [
        Column("name", required=True),
        Column("gender", required=True),
        Column("birth_date"),
        Column("organization", required=True, lookup="name"),
        Column("position"),
        Column("rank"),
        Column("id_number"),
        Column("phone"),
    ]

    def form_options(self, actor):
        return super().form_options(actor) | {"rank_options": PersonForm.rank_options_for(actor)}

    def save_batch(self, actor, batch):
        for item in batch:
            item.obj.fill_names()
        super().save_batch(actor, batch)
        index_people(item.obj for item in batch)
