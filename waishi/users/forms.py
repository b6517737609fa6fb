from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from waishi.core.forms import ModelForm
from waishi.users.choices import Role
from waishi.users.models import User


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class UserForm(ModelForm):
    """The account itself (the system administrator's); roles are the security administrator's page."""

    # Not named "password": that is the hash column, and the form's columns are not passed on as extras.
    new_password = forms.CharField(
        label=_("new password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "email", "organization", "person", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is None or not self.user.has_perm("users.add_user"):
            self.fields["new_password"].disabled = True
        # Administrators hold no personal data: the link to a person is set by the command line only.
        self.fields.pop("person")


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("verification code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-center font-monospace",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
        help_text=_("The six digits your authenticator app shows for Waishi."),
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (old password, new password twice, the password validators), and the new password must
    differ from the old one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and self.user.check_password(new):
            self.add_error("new_password1", _("Choose a password different from the current one."))
        return cleaned
