import django_filters
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, YearFilter
from logistics.models import (
    Applicant,
    Booking,
    CanteenMilestone,
    CanteenMonth,
    Checkin,
    Checkpoint,
    Event,
    EventAssignment,
    Journal,
    Patrol,
    PrintOrder,
    Route,
    SaleFlat,
    Survey,
    SurveyAnswer,
    Venue,
)


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


def by_route():
    return django_filters.NumberFilter(field_name="route", label=_("巡查路线"))


class RouteFilterSet(BaseFilterSet):
    search_fields = ("site", "name")

    class Meta:
        model = Route
        fields = ["unit", "active"]


class CheckpointFilterSet(BaseFilterSet):
    route = by_route()
    search_fields = ("name",)

    class Meta:
        model = Checkpoint
        fields = []


class PatrolFilterSet(BaseFilterSet):
    route = by_route()
    year = YearFilter(field_name="started")

    class Meta:
        model = Patrol
        fields = ["state"]


class CheckinFilterSet(BaseFilterSet):
    patrol = django_filters.NumberFilter(field_name="patrol", label=_("巡查记录"))

    class Meta:
        model = Checkin
        fields = []


class JournalFilterSet(BaseFilterSet):
    route = by_route()
    search_fields = ("content", "issues")
    year = YearFilter(field_name="date")
    open_issues = django_filters.BooleanFilter(label=_("问题未整改"), method="filter_open")

    class Meta:
        model = Journal
        fields = ["kind"]

    def filter_open(self, queryset, name, value):
        pending = queryset.exclude(issues="").filter(rectified_on=None)
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))


class ApplicantFilterSet(BaseFilterSet):
    search_fields = ("name", "compound")

    class Meta:
        model = Applicant
        fields = ["unit", "eligible"]


class SaleFlatFilterSet(BaseFilterSet):
    search_fields = ("compound", "building", "number", "applicant__name")

    class Meta:
        model = SaleFlat
        fields = ["state"]


class CanteenMilestoneFilterSet(BaseFilterSet):
    search_fields = ("project", "name")

    class Meta:
        model = CanteenMilestone
        fields = ["state"]


class CanteenMonthFilterSet(BaseFilterSet):
    year = YearFilter(field_name="month")

    class Meta:
        model = CanteenMonth
        fields = ["unit"]
