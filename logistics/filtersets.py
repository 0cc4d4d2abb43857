import django_filters
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, YearFilter
from logistics.models import Booking, Event, EventAssignment, PrintOrder, Survey, SurveyAnswer, Venue


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


class SurveyFilterSet(BaseFilterSet):
    search_fields = ("title", "period")

    class Meta:
        model = Survey
        fields = ["service", "year"]


class SurveyAnswerFilterSet(BaseFilterSet):
    search_fields = ("item", "comment", "unit__name")
    survey = django_filters.NumberFilter(field_name="survey", label=_("满意度调查"))
    low = django_filters.BooleanFilter(label=_("低分"), method="filter_low")

    class Meta:
        model = SurveyAnswer
        fields = ["unit", "score", "follow_up"]

    def filter_low(self, queryset, name, value):
        from django.db.models import F

        below = queryset.filter(score__lt=F("survey__follow_up_below"))
        return below if value else queryset.exclude(pk__in=below.values("pk"))
