import re

import django_filters
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, MonthFilter
from energy.models import (
    ConservationOrgan,
    Consumption,
    EnergyAudit,
    Factor,
    FactorSet,
    Inspection,
    Profile,
    Retrofit,
    Target,
    VerificationFlag,
)


class UnitFilterSet(BaseFilterSet):
    """By unit id (links, the API); people find a unit by name through the keyword box, since a
    dropdown of a thousand institutions costs more to render than the page itself."""

    unit = django_filters.NumberFilter(field_name="unit", label=_("单位编号"))


class FactorSetFilterSet(BaseFilterSet):
    search_fields = ("name", "source")

    class Meta:
        model = FactorSet
        fields = ["year", "active"]


class FactorFilterSet(BaseFilterSet):
    class Meta:
        model = Factor
        fields = ["factor_set", "item"]


class TargetFilterSet(BaseFilterSet):
    class Meta:
        model = Target
        fields = ["key", "target_year"]


class ProfileFilterSet(UnitFilterSet):
    search_fields = ("unit__name",)

    class Meta:
        model = Profile
        fields = ["year"]


class ConsumptionFilterSet(UnitFilterSet):
    search_fields = ("unit__name",)
    period = MonthFilter(method="filter_period", label=_("期间"))

    class Meta:
        model = Consumption
        fields = ["year", "month", "item", "factor_set"]

    def filter_period(self, queryset, name, value):
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        found = re.fullmatch(r"([0-9]+)-([0-9]+)", value.strip())
        if found is None:
            return queryset.none()
        return queryset.filter(year=int(found[1]), month=int(found[2]))


class VerificationFlagFilterSet(UnitFilterSet):
    search_fields = ("unit__name", "message")

    class Meta:
        model = VerificationFlag
        fields = ["year", "kind", "resolved"]


class EnergyAuditFilterSet(UnitFilterSet):
    search_fields = ("unit__name", "auditor")

    class Meta:
        model = EnergyAudit
        fields = ["year", "state"]


class ConservationOrganFilterSet(UnitFilterSet):
    search_fields = ("unit__name",)

    class Meta:
        model = ConservationOrgan
        fields = ["year", "state"]


class RetrofitFilterSet(UnitFilterSet):
    search_fields = ("name", "contractor", "unit__name")

    class Meta:
        model = Retrofit
        fields = ["kind", "state", "start_year"]


class InspectionFilterSet(UnitFilterSet):
    search_fields = ("unit__name", "inspector", "findings")

    class Meta:
        model = Inspection
        fields = ["topic", "result", "rectified"]
