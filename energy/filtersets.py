import django_filters
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet
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


class ProfileFilterSet(BaseFilterSet):
    search_fields = ("unit__name",)

    class Meta:
        model = Profile
        fields = ["year", "unit"]


class ConsumptionFilterSet(BaseFilterSet):
    search_fields = ("unit__name",)
    period = django_filters.CharFilter(method="filter_period", label=_("期间（YYYY-MM）"))

    class Meta:
        model = Consumption
        fields = ["year", "month", "item", "unit", "factor_set"]

    def filter_period(self, queryset, name, value):
        year, _sep, month = value.partition("-")
        if not (year.isdigit() and month.isdigit()):
            return queryset.none()
        return queryset.filter(year=int(year), month=int(month))


class VerificationFlagFilterSet(BaseFilterSet):
    search_fields = ("unit__name", "message")

    class Meta:
        model = VerificationFlag
        fields = ["year", "kind", "resolved", "unit"]


class EnergyAuditFilterSet(BaseFilterSet):
    search_fields = ("unit__name", "auditor")

    class Meta:
        model = EnergyAudit
        fields = ["year", "state", "unit"]


class ConservationOrganFilterSet(BaseFilterSet):
    search_fields = ("unit__name",)

    class Meta:
        model = ConservationOrgan
        fields = ["year", "state", "unit"]


class RetrofitFilterSet(BaseFilterSet):
    search_fields = ("name", "contractor", "unit__name")

    class Meta:
        model = Retrofit
        fields = ["kind", "state", "start_year", "unit"]


class InspectionFilterSet(BaseFilterSet):
    search_fields = ("unit__name", "inspector", "findings")

    class Meta:
        model = Inspection
        fields = ["topic", "result", "rectified", "unit"]
