from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.core.forms import Form, ModelForm
from waishi.directory.models import Organization
from waishi.passports.models import TravelDocument
from waishi.travel.models import Trip


class TravelDocumentForm(ModelForm):
    handed_over_by = forms.CharField(label=_("handed over by"), max_length=100)
    received_by = forms.CharField(label=_("received by"), max_length=100)
    date = forms.DateField(label=_("date"), initial=timezone.localdate)

    class Meta:
        model = TravelDocument
        fields = ["person", "kind", "number", "issued", "expires", "authority", "custodian"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custodian"].queryset = Organization.objects.restrict(self.user)
        if self.user is not None and self.user.organization:
            self.fields["custodian"].initial = self.user.organization
            self.fields["received_by"].initial = str(self.user)
        if self.instance.pk:
            # The ledger fields are for the first deposit only; later movements have their own forms.
            for name in ("handed_over_by", "received_by", "date"):
                self.fields.pop(name)
            self.initial["number"] = ""
            self.fields["number"].required = False
            self.fields["number"].widget.attrs["placeholder"] = self.instance.number_masked

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("number"):
            cleaned["number"] = TravelDocument.objects.get(pk=self.instance.pk).number
        return cleaned


class MovementForm(Form):
    date = forms.DateField(label=_("date"), initial=timezone.localdate)
    handed_over_by = forms.CharField(label=_("handed over by"), max_length=100)
    received_by = forms.CharField(label=_("received by"), max_length=100)


class CheckOutForm(MovementForm):
    trip = forms.ModelChoiceField(label=_("trip"), queryset=Trip.objects.none())

    def __init__(self, *args, document=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from waishi.passports.services import CHECKOUT_STATES

        self.fields["trip"].queryset = (
            Trip.objects.restrict(user)
            .filter(state__in=CHECKOUT_STATES, members__person=document.person)
            .select_related("applicant_unit")
        )
        self.fields["received_by"].initial = document.person.name
        self.fields["handed_over_by"].initial = str(user)
        self.order_fields(["trip", "date", "handed_over_by", "received_by"])


class ReturnForm(MovementForm):
    def __init__(self, *args, document=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_over_by"].initial = document.person.name
        self.fields["received_by"].initial = str(user)


class NoteMovementForm(MovementForm):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, document=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_over_by"].initial = document.person.name
        self.fields["received_by"].initial = str(user)
