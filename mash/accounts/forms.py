from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from mash.core.forms import GovukForm, GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. After several failed attempts the account is locked for a while.",
        "inactive": "This account is inactive. Ask your MASH administrator.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The Design System advises against autofocus: it skips the skip link for keyboard users.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(GovukForm):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the 6-digit code.", "min_length": "The code has 6 digits.", "max_length": "The code has 6 digits."},
    )
