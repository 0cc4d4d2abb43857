from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.models import Person, Unit


def scope_choices(fields, user):
    """Every dropdown of records lists only what the user may see."""
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "for_user"):
            field.queryset = queryset.for_user(user, "view")


class BaseModelForm(forms.ModelForm):
    """The one form base: scoped choices, and the version the user started from, so that a stale
    form meets a conflict instead of overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope_choices(self.fields, user)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("version") is not None:
            self.instance.version = data["version"]
        return data


class UnitForm(BaseModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "uscc", "kind", "parent", "is_public_institution", "active"]

    def clean_uscc(self):
        return self.cleaned_data["uscc"].strip().upper()

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        node = parent
        while node is not None and self.instance.pk:
            if node.pk == self.instance.pk:
                raise forms.ValidationError(_("上级单位不能是本单位或其下级单位。"))
            node = node.parent
        return parent


class PersonForm(BaseModelForm):
    class Meta:
        model = Person
        fields = ["name", "unit", "rank", "id_number", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The clear ID number never goes back to the browser; leaving the box empty keeps it.
        if "id_number" in self.fields and self.instance.pk and self.instance.id_number:
            self.fields["id_number"].help_text = _("已登记：%(masked)s。留空则保持不变。") % {
                "masked": self.instance.id_number_masked
            }
            self.initial["id_number"] = ""
        if "user" in self.fields and not self.user.has_perm("auth.change_user"):
            del self.fields["user"]

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "").strip().upper()
        if not value and self.instance.pk:
            return self.instance.id_number
        return value
