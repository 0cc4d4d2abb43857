import django_filters
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, YearFilter
from logistics.models import Booking, Event, EventAssignment, PrintOrder, Venue


class VenueFilterSet(BaseFilterSet):
    search_fields = ("name", "building", "room")

    class Meta:
        model = Venue
        fields = ["active"]


class BookingFilterSet(BaseFilterSet):
    search_fields = ("title", "venue__name", "unit__name")
    year = YearFilter(field_name="start")
    after = django_filters.IsoDateTimeFilter(field_name="end", lookup_expr="gt", label=_("结束晚于"))
    before = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt", label=_("开始早于"))

    class Meta:
        model = Booking
        fields = ["venue", "unit", "state"]


class EventFilterSet(BaseFilterSet):
    search_fields = ("title", "place", "unit__name")
    year = YearFilter(field_name="start")

    class Meta:
        model = Event
        fields = ["unit", "state", "category"]


class EventAssignmentFilterSet(BaseFilterSet):
    search_fields = ("vehicle__plate", "driver", "event__title")
    event = django_filters.NumberFilter(field_name="event", label=_("重大活动"))

    class Meta:
        model = EventAssignment
        fields = []


class PrintOrderFilterSet(BaseFilterSet):
    search_fields = ("document", "unit__name")
    year = YearFilter(field_name="ordered_on", label=_("委托年度"))
    with_errors = django_filters.BooleanFilter(
        field_name="errors", lookup_expr="gt", label=_("有差错"), method="filter_errors"
    )

    class Meta:
        model = PrintOrder
        fields = ["unit", "binding"]

    def filter_errors(self, queryset, name, value):
        return queryset.filter(errors__gt=0) if value else queryset.filter(errors=0)
