"""Figures shared by the pages, the API, the metrics and the report sheets (one computation each)."""

import datetime
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from vehicles.choices import FLEET_STATUSES, NEW_ENERGY, Status, SupportStatus
from vehicles.models import (
    Inspection,
    InspectionOutcome,
    Quota,
    Rules,
    SupportRequest,
    Trip,
    Vehicle,
    VehicleStandard,
    _years_before,
)


def with_flags(queryset, rules=None, on=None):
    """Annotate `beyond_limits` (price or displacement above the vehicle's standard, or its
    category's default standard) and `replacement_due` (age or mileage reached)."""
    rules = rules or Rules.current()
    on = on or timezone.localdate()
    default = VehicleStandard.objects.filter(category=OuterRef("category"), is_default=True)
    price_cap = Coalesce(F("standard__max_price"), Subquery(default.values("max_price")[:1]))
    engine_cap = Case(
        When(standard__isnull=False, then=F("standard__max_displacement")),
        default=Subquery(default.values("max_displacement")[:1]),
    )
    beyond = Q(purchase_price__gt=price_cap) | Q(displacement__gt=engine_cap)
    due = Q(pk__in=[])
    if rules is not None:
        due = Q(purchase_date__lte=_years_before(on, rules.replacement_years)) | Q(
            odometer_km__gte=rules.replacement_km
        )
    return queryset.annotate(
        beyond_limits=Case(When(beyond, then=True), default=False, output_field=BooleanField()),
        replacement_due=Case(When(due, then=True), default=False, output_field=BooleanField()),
    )


def year_end(year):
    return datetime.date(year, 12, 31)


def fleet(year, units):
    """The vehicles a unit had in service at the end of the year."""
    end = year_end(year)
    return Vehicle.objects.filter(unit__in=units, purchase_date__lte=end).exclude(
        status__in=(Status.DISPOSED, Status.AWAITING_DISPOSAL), status_since__lte=end
    )


def share(part, whole):
    return round(Decimal(100) * part / whole, 2) if whole else None


def nev_counts(queryset):
    return queryset.aggregate(total=Count("pk"), nev=Count("pk", filter=Q(energy_type__in=NEW_ENERGY)))


def support_counts(year, units):
    """Requests of the year, cancelled ones aside; fulfilled = dispatched."""
    rows = SupportRequest.objects.filter(unit__in=units, start__year=year).exclude(status=SupportStatus.CANCELLED)
    return rows.aggregate(requested=Count("pk"), fulfilled=Count("pk", filter=Q(status=SupportStatus.DISPATCHED)))


def marking_counts(year, units):
    """Results of the year's rounds; exempt vehicles are outside the rate."""
    rows = Inspection.objects.filter(unit__in=units, round__start_date__year=year).exclude(
        outcome=InspectionOutcome.EXEMPT
    )
    return rows.aggregate(checked=Count("pk"), compliant=Count("pk", filter=Q(outcome=InspectionOutcome.COMPLIANT)))


def quota_use(units, on=None):
    """Per (unit id, category): [approved, in service], from the live registry."""
    result = {key: [approved, 0] for key, approved in Quota.in_effect(units, on).items()}
    in_service = (
        Vehicle.objects.filter(unit__in=units, status__in=FLEET_STATUSES)
        .order_by()
        .values_list("unit_id", "category")
        .annotate(n=Count("pk"))
    )
    for unit_id, category, n in in_service:
        result.setdefault((unit_id, category), [0, 0])[1] = n
    return result


def idle_vehicles(user, days, on=None):
    """Vehicles in service with no trip in the last `days` days (newest trip per vehicle by index)."""
    on = on or timezone.now()
    since = on - datetime.timedelta(days=days)
    last = Trip.objects.filter(vehicle=OuterRef("pk")).order_by("-start").values("start")[:1]
    return (
        Vehicle.objects.for_user(user, "view")
        .filter(status=Status.IN_SERVICE)
        .annotate(last_trip=Subquery(last))
        .filter(Q(last_trip__lt=since) | Q(last_trip__isnull=True))
        .select_related("unit")
        .order_by(F("last_trip").asc(nulls_first=True), "plate")
    )
