"""The stock Django admin for the models the bench lists, with the list page's columns and filters."""

from django.contrib import admin

from waishi.directory.models import Person
from waishi.travel.models import Trip


@admin.register(Trip)
class TripAdmin(admin.ModelAdmin):
    list_display = ("approval_number", "applicant_unit", "category", "depart_date", "return_date", "state")
    list_filter = ("state", "category", "office")
    search_fields = ("approval_number", "mission")
    list_per_page = 25
    actions = None


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "position", "rank")
    search_fields = ("name", "pinyin", "initials")
    list_per_page = 25
    actions = None
