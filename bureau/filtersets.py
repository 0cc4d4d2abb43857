import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bureau.forms import MonthInput
from bureau.models import DataRequest, Person, Submission, Unit

ALL = _("全部")


class YearFilter(django_filters.NumberFilter):
    """The year of a date field: a whole number a date can have, else a 400 naming the filter
    (a year lookup with 0 or 10000 fails while building the SQL)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "year")
        kwargs.setdefault("label", _("年度"))
        super().__init__(*args, min_value=datetime.MINYEAR, max_value=datetime.MAXYEAR, **kwargs)


class MonthFilter(django_filters.CharFilter):
    """A month (YYYY-MM) chosen with the month picker."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MonthInput)
        super().__init__(*args, **kwargs)


class BaseFilterSet(django_filters.FilterSet):
    """The one filter base: a free-text `q` over `search_fields`, and scoped dropdowns."""

    search_fields = ()

    q = django_filters.CharFilter(method="search", label=_("关键词"))

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        for f in self.filters.values():
            # A form field built on the class's own filter (the API schema generator does so) has
            # no label, and every copy would inherit it: built here, per request, it has the
            # field's verbose name in the request's language.
            vars(f).pop("_field", None)
            queryset_ = getattr(f, "queryset", None)
            if user is not None and queryset_ is not None and hasattr(queryset_, "for_user"):
                f.queryset = queryset_.for_user(user, "view")
        if not self.search_fields:
            self.filters.pop("q", None)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            for field in super().form.fields.values():
                # No choice made is "all", not a dash line; a yes/no filter's blank is "all" too,
                # not the widget's "unknown".
                if getattr(field, "empty_label", None) is not None:
                    field.empty_label = ALL
                    field.widget.choices = field.choices  # the widget's copy reads the class's field
                if isinstance(field, forms.NullBooleanField):
                    field.widget = forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])
        return self._form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class UnitFilterSet(BaseFilterSet):
    search_fields = ("name", "short_name", "uscc")

    class Meta:
        model = Unit
        fields = ["kind", "is_public_institution", "active", "parent"]


class PersonFilterSet(BaseFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Person
        fields = ["unit", "rank"]


class DataRequestFilterSet(BaseFilterSet):
    search_fields = ("title",)

    class Meta:
        model = DataRequest
        fields = ["year", "state", "frequency"]


class SubmissionFilterSet(BaseFilterSet):
    search_fields = ("request__title", "unit__name")

    class Meta:
        model = Submission
        fields = ["request", "unit", "state", "period"]
