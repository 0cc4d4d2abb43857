from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from bureau.forms import BaseModelForm
from party.models import Archive, ArchiveEntry, Clue, grant

DATE = forms.DateInput(attrs={"type": "date"})


def discipline_staff():
    return get_user_model().objects.filter(groups__name="discipline", is_active=True).order_by("username")


class GrantingForm(BaseModelForm):
    """Whoever files a confidential record holds it."""

    def save(self, commit=True):
        adding = self.instance._state.adding
        saved = super().save(commit)
        if adding:
            grant(saved, self.user, by=self.user)
        return saved


class ClueForm(GrantingForm):
    class Meta:
        model = Clue
        fields = [
            "number",
            "received_on",
            "source",
            "unit",
            "subject",
            "summary",
            "handler",
            "state",
            "disposal",
            "form",
            "outcome",
        ]
        widgets = {"received_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = discipline_staff()


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("授权给"), queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = discipline_staff()


class ArchiveForm(GrantingForm):
    class Meta:
        model = Archive
        fields = ["person", "opened_on", "note"]
        widgets = {"opened_on": DATE}


class ArchiveEntryForm(BaseModelForm):
    class Meta:
        model = ArchiveEntry
        fields = ["archive", "kind", "date", "summary", "amount"]
        widgets = {"date": DATE}
