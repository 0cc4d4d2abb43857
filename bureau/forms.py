from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureau.models import DataRequest, Person, Unit


def scope_choices(fields, user):
    """Every dropdown of records lists only what the user may see."""
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "for_user"):
            field.queryset = queryset.for_user(user, "view")


class MonthInput(forms.TextInput):
    """A browser's month picker; it submits YYYY-MM, as a typed month would be."""

    input_type = "month"


VERSION_REQUIRED = _("保存失败：表单未注明所修改的版本。请刷新页面，在最新内容上重新修改。")


class BaseModelForm(forms.ModelForm):
    """The one form base: scoped choices, and the version the user started from, so that a stale
    form meets a conflict instead of overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # True on an Excel import's form: uniqueness is checked for the whole file at once
    # (bureau.imports.rows.check_unique), so clean() need not ask the database row by row.
    checked_in_bulk = False

    @classmethod
    def check_file(cls, records, rows, labels):
        """What only a whole Excel import shows, asked once a file: rows against each other and
        against the stored records (a unit's quota, one office a person). Returns imports.RowError
        list; `records.value(row, attname)` reads a row's validated values, `labels` the headers."""
        return []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope_choices(self.fields, user)
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    def initial_id(self, name):
        """The id of a record given as an initial value (an add page's ?unit=…), or None when what
        was given is no id."""
        value = getattr(self.initial.get(name), "pk", self.initial.get(name))
        return int(value) if str(value).isdecimal() and str(value).isascii() else None

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            if data.get("version") is None:
                # Missing or garbled: saving without knowing what was read could overwrite
                # someone else's change.
                self.add_error(None, forms.ValidationError(VERSION_REQUIRED, code="version_required"))
            else:
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


class DataRequestForm(BaseModelForm):
    all_units = forms.BooleanField(
        label=_("全部在用单位"), required=False, help_text=_("勾选后向所有在用单位发布，无需逐个选择。")
    )

    class Meta:
        model = DataRequest
        fields = ["kind", "title", "year", "frequency", "deadline", "grace_days", "units", "note"]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "units": forms.SelectMultiple(attrs={"size": 12}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from bureau.requests import REGISTRY, kinds_for_areas
        from bureau.scoping import user_groups

        groups = user_groups(self.user)
        allowed = set(REGISTRY) if groups & {"admin"} or self.user.is_superuser else set(kinds_for_areas(groups))
        self.fields["kind"] = forms.ChoiceField(
            label=_("填报类型"),
            choices=[(k.key, k.title) for k in REGISTRY.values() if k.key in allowed],
            help_text=_("要求各单位填报的内容；只列出本处室负责的类型。"),
        )
        self.fields["units"].required = False
        self.fields["deadline"].help_text = _(
            "年度填报：报送截止日期。月度、季度：发布时已过期的期间（补报）统一在此日期前报送，"
            "其余各期在期末后按宽限天数截止。"
        )
        self.fields["units"].help_text = _("按住 Ctrl 可多选。")

    def clean(self):
        data = super().clean()
        if data.get("all_units"):
            data["units"] = Unit.objects.for_user(self.user, "view").filter(active=True)
        elif not data.get("units"):
            self.add_error("units", _("请选择填报单位，或勾选“全部在用单位”。"))
        if self.instance.pk and self.instance.state != "draft":
            raise forms.ValidationError(_("已发布的填报任务不能修改；如需调整请新建任务。"))
        if not self.instance.pk:
            self.instance.created_by = self.user
        kind = data.get("kind")
        if kind and data.get("frequency"):
            from bureau.requests import REGISTRY

            if data["frequency"] not in REGISTRY[kind].frequencies:
                self.add_error("frequency", _("此填报类型不支持该频次。"))
        return data


class ReportYearForm(forms.Form):
    """The year of an annual workbook: one the registries take (from 2000, as offices' and
    vehicles' years), up to this year."""

    first = 2000
    year = forms.IntegerField(
        label=_("年度"), error_messages={"required": _("请选择年度。"), "invalid": _("请选择年度。")}
    )

    def clean_year(self):
        year, last = self.cleaned_data["year"], timezone.localdate().year
        if not self.first <= year <= last:
            raise forms.ValidationError(
                _("年度须在 %(first)d 至 %(last)d 年之间。"), params={"first": self.first, "last": last}
            )
        return year


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
