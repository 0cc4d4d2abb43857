"""The columns of an import: one per visible field of the form, named by its Chinese label, and
the lookup of related records by name that stands in for a dropdown."""

import re
from dataclasses import dataclass

from django import forms
from django.db import models
from django.utils.translation import gettext as _

LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")


@dataclass
class Column:
    name: str
    label: str
    help: str = ""
    choices: tuple = ()  # the labels a cell may hold (a dropdown in the template)
    required: bool = False
    kind: str = "text"  # text, number, date, bool, choice, lookup

    def note(self):
        kinds = {
            "text": _("文本"),
            "number": _("数字"),
            "date": _("日期，如 2022-03-31"),
            "bool": _("填“是”或“否”"),
            "choice": _("从下拉列表选择"),
            "lookup": "",  # the help says by what the record is named
        }
        mark = _("【必填】") if self.required else _("【选填】")
        return " ".join(str(p) for p in (mark + str(kinds[self.kind]), self.help) if p)


def columns_for_form(form_class, exclude=(), form_kwargs=None):
    """The template's columns: one per visible field of the form, in the form's order.

    With `form_kwargs` (e.g. `{"user": user}`), the form is built as for a single record, so that
    fields the form drops for this user and dropdowns scoped to this user are taken into account."""
    fields = form_class(**form_kwargs).fields if form_kwargs is not None else form_class.base_fields
    columns = []
    for name, field in fields.items():
        if name in exclude or name == "version" or field.widget.is_hidden or field.disabled:
            continue
        columns.append(_column(name, field))
    return columns


def _column(name, field):
    help_text = str(field.help_text or "")
    label = str(field.label or name)
    if isinstance(field, forms.ModelChoiceField):
        model = field.queryset.model
        keys = "、".join(str(f.verbose_name) for f in _natural_keys(model) if f.name != "name")
        hint = _("填写%(model)s名称") % {"model": model._meta.verbose_name}
        if keys:
            hint += _("或%(keys)s") % {"keys": keys}
        if isinstance(field, forms.ModelMultipleChoiceField):
            hint += _("，多个用顿号“、”分隔")
        choices = ()
        if field.queryset.count() <= 500:  # small lists become a dropdown in the template
            choices = tuple(sorted(k for k, v in lookup_index(field.queryset).items() if v is not AMBIGUOUS))
        return Column(name, label, f"{hint}。{help_text}", choices, field.required, "lookup")
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return Column(name, label, help_text, (_("是"), _("否")), field.required, "bool")
    if isinstance(field, forms.ChoiceField):
        labels = tuple(str(label) for value, label in flat_choices(field) if value not in ("", None))
        return Column(name, label, help_text, labels, field.required, "choice")
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return Column(name, label, help_text, (), field.required, "date")
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return Column(name, label, help_text, (), field.required, "number")
    return Column(name, label, help_text, (), field.required, "text")


def flat_choices(field):
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def _natural_keys(model):
    """Fields by which a cell may name a related record: its name and its unique codes."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and (f.unique or f.name in ("name", "code"))
    ]


AMBIGUOUS = object()


def lookup_index(queryset):
    """Text → record for every record the user may choose, by its display name and natural keys;
    built once per import so that no row costs a query."""
    keys = [f.attname for f in _natural_keys(queryset.model)]
    index = {}
    for obj in queryset:
        for text in {str(obj), *(getattr(obj, k) for k in keys)}:
            text = (text or "").strip()
            if text:
                found = index.get(text, obj)
                index[text] = obj if found is not AMBIGUOUS and found.pk == obj.pk else AMBIGUOUS
    return index


class LookupField(forms.Field):
    """Stands in for a ModelChoiceField during an import: the same scoped choices, named in words."""

    def __init__(self, original, index):
        super().__init__(required=original.required, label=original.label, help_text=original.help_text)
        self.multiple = isinstance(original, forms.ModelMultipleChoiceField)
        self.index = index
        self.model_name = original.queryset.model._meta.verbose_name

    def to_python(self, value):
        if value in (None, ""):
            return [] if self.multiple else None
        if not self.multiple:
            obj = self.index.get(str(value).strip())
            if obj is not None and obj is not AMBIGUOUS:
                return obj  # the usual cell, one name: no need to split it
        found = [self.find(text) for text in LIST_SEPARATORS.split(str(value)) if text.strip()]
        return found if self.multiple else found[0]

    def find(self, text):
        obj = self.index.get(text.strip())
        if obj is AMBIGUOUS:
            raise forms.ValidationError(
                _("有多个%(model)s叫“%(text)s”，请改填全称或代码。") % {"model": self.model_name, "text": text}
            )
        if obj is None:
            raise forms.ValidationError(
                _("找不到%(model)s“%(text)s”（或您无权选择它）。") % {"model": self.model_name, "text": text}
            )
        return obj
