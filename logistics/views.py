import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bureau import generic
from bureau.scoping import can, has_model_perm
from logistics import bookings, filtersets, forms, sales, surveys
from logistics.choices import FlatState, PatrolState
from logistics.metrics import satisfaction
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
    sees_catalogue,
)

BOOKING_COLUMNS = ("start", "end", "venue", "title", "unit", "attendees", "state")


class VenueViews(generic.ModelViews):
    model = Venue
    form = forms.VenueForm
    filterset = filtersets.VenueFilterSet
    columns = ("name", "building", "room", "capacity", "equipment", "active")
    detail_template = "logistics/venue_detail.html"


class ClashRefusedEditView(generic.EditView):
    """A clash found only under the venue's lock (someone booked the slot a moment earlier) is
    shown on the form like any other error, not as a server error."""

    def post(self, request, pk=None):
        try:
            return super().post(request, pk)
        except ValidationError as exc:
            obj = self.instance()
            form = self.get_form(obj)
            form.is_valid()
            form.add_error(None, exc.messages)
            return self.show(form, obj, status=400)


class ManagerAdmitted:
    """A venue's manager reads the bookings of their venues (to decide on them) without a role."""

    def allowed(self, user):
        return super().allowed(user) or (self.action == "view" and user.managed_venues.exists())


class BookingListView(ManagerAdmitted, generic.ListView):
    pass


class BookingDetailView(ManagerAdmitted, generic.DetailView):
    pass


class BookingViews(generic.ModelViews):
    model = Booking
    form = forms.BookingForm
    filterset = filtersets.BookingFilterSet
    columns = BOOKING_COLUMNS
    detail_fields = (
        "venue",
        "unit",
        "title",
        "start",
        "end",
        "attendees",
        "contact",
        "services",
        "banner",
        "state",
        "reason",
        "cancelled_by_requester",
        "decided_by",
    )
    detail_template = "logistics/booking_detail.html"

    @classmethod
    def urls(cls):
        views = {
            "booking_add": ClashRefusedEditView,
            "booking_edit": ClashRefusedEditView,
            "booking_list": BookingListView,
            "booking_detail": BookingDetailView,
        }
        return [
            path(str(p.pattern), views[p.name].as_view(config=cls), name=p.name) if p.name in views else p
            for p in super().urls()
        ]

    @classmethod
    def detail_context(cls, obj, user):
        return {"moves": [(m, bookings.MOVE_LABELS[m]) for m in bookings.allowed_moves(user, obj)]}


class EventViews(generic.ModelViews):
    model = Event
    form = forms.EventForm
    filterset = filtersets.EventFilterSet
    columns = ("start", "title", "unit", "category", "vehicles_needed", "drivers_needed", "state")
    related = ((gettext_lazy("派车"), EventAssignment, "event", ("vehicle", "driver", "driver_phone", "note")),)


class EventAssignmentViews(generic.ModelViews):
    model = EventAssignment
    form = forms.EventAssignmentForm
    filterset = filtersets.EventAssignmentFilterSet
    columns = ("event", "vehicle", "driver", "driver_phone")


class PrintOrderViews(generic.ModelViews):
    model = PrintOrder
    form = forms.PrintOrderForm
    filterset = filtersets.PrintOrderFilterSet
    columns = ("ordered_on", "unit", "document", "pages", "copies", "amount", "cost", "delivered_on", "errors")
    detail_fields = (
        "unit",
        "document",
        "ordered_on",
        "pages",
        "copies",
        "binding",
        "page_price",
        "binding_price",
        "amount",
        "cost",
        "profit",
        "delivered_on",
        "errors",
        "error_note",
        "corrected_on",
    )


class SurveyViews(generic.ModelViews):
    model = Survey
    form = forms.SurveyForm
    filterset = filtersets.SurveyFilterSet
    columns = ("year", "service", "period", "title", "target", "request")
    detail_fields = ("service", "year", "period", "title", "questions", "target", "follow_up_below", "request")
    related = ((gettext_lazy("评价"), SurveyAnswer, "survey", ("unit", "item", "score", "comment", "follow_up")),)
    detail_template = "logistics/survey_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        sendable = obj.request_id is None and has_model_perm(user, Survey, "change")
        return {
            "figures": satisfaction(SurveyAnswer.objects.filter(survey=obj)),
            "send_form": forms.SendSurveyForm(user=user) if sendable else None,
        }


class SurveyAnswerViews(generic.ModelViews):
    model = SurveyAnswer
    form = forms.SurveyAnswerForm
    filterset = filtersets.SurveyAnswerFilterSet
    columns = ("survey", "unit", "item", "score", "follow_up", "closed_on")


@login_required
@require_POST
def survey_send(request, pk):
    if not has_model_perm(request.user, Survey, "change"):
        generic.deny(request, Survey)
    survey = get_object_or_404(Survey.objects.for_user(request.user, "change"), pk=pk)
    form = forms.SendSurveyForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(survey.get_absolute_url())
    try:
        sent = surveys.send(survey, request.user, form.cleaned_data["deadline"], form.chosen_units())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(survey.get_absolute_url())
    messages.success(request, _("已发送给 %(n)s 个单位。") % {"n": sent.submissions.count()})
    return HttpResponseRedirect(reverse("bureau:datarequest_detail", args=[sent.pk]))


class RouteViews(generic.ModelViews):
    model = Route
    form = forms.RouteForm
    filterset = filtersets.RouteFilterSet
    columns = ("site", "name", "unit", "patrols_per_month", "daily_notes", "weekly_journals", "active")
    related = (
        (gettext_lazy("巡查点位"), Checkpoint, "route", ("order", "name")),
        (gettext_lazy("近期巡查"), Patrol, "route", ("started", "inspector", "state", "note")),
    )
    detail_template = "logistics/route_detail.html"


class CheckpointViews(generic.ModelViews):
    model = Checkpoint
    form = forms.CheckpointForm
    filterset = filtersets.CheckpointFilterSet
    columns = ("route", "order", "name")
    select_related = ("route",)


class PatrolViews(generic.ModelViews):
    model = Patrol
    form = forms.PatrolForm
    filterset = filtersets.PatrolFilterSet
    columns = ("started", "route", "inspector", "state", "expires", "note")
    related = ((gettext_lazy("签到"), Checkin, "patrol", ("time", "checkpoint", "inspector", "note")),)
    detail_template = "logistics/patrol_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        open_ = obj.state == PatrolState.OPEN and can(user, Patrol, "change")
        return {"can_close": open_, "missed": list(obj.missed()) if obj.state != PatrolState.COMPLETE else []}


class CheckinViews(generic.ModelViews):
    model = Checkin
    form = forms.CheckinForm
    filterset = filtersets.CheckinFilterSet
    columns = ("time", "patrol", "checkpoint", "inspector", "note")
    select_related = ("patrol__route", "checkpoint__route")


class JournalViews(generic.ModelViews):
    model = Journal
    form = forms.JournalForm
    filterset = filtersets.JournalFilterSet
    columns = ("date", "kind", "route", "issues", "rectify_by", "rectified_on")


@login_required
def route_qr(request, pk):
    """The route's checkpoints with their QR codes (SVG, made here), to print and post up."""
    if not can(request.user, Checkpoint, "view"):
        generic.deny(request, Checkpoint)
    route = get_object_or_404(Route.objects.for_user(request.user, "view"), pk=pk)
    codes = []
    for checkpoint in route.checkpoints.all():
        url = request.build_absolute_uri(checkpoint.checkin_path())
        svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=False)
        codes.append((checkpoint, url, mark_safe(svg)))
    return render(
        request,
        "logistics/route_qr.html",
        {"title": _("%(r)s 点位二维码") % {"r": route}, "route": route, "codes": codes},
    )


@login_required
def checkin_scan(request, token):
    """The phone page a checkpoint's QR code opens: check in here, on the inspector's open patrol
    of this route (started by the first check-in); the last checkpoint closes the patrol."""
    user = request.user
    if not can(user, Checkin, "add"):
        generic.deny(request, Checkin)
    checkpoint = get_object_or_404(Checkpoint.objects.for_user(user, "view").select_related("route"), token=token)
    route = checkpoint.route
    patrol = (
        Patrol.objects.for_user(user, "change")
        .filter(route=route, inspector=user, state=PatrolState.OPEN, expires__gt=timezone.now())
        .order_by("-started")
        .first()
    )
    if request.method == "POST":
        try:
            with transaction.atomic():
                if patrol is None:
                    patrol = Patrol(route=route, inspector=user)
                    patrol.save()
                checkin = Checkin(
                    patrol=patrol, checkpoint=checkpoint, inspector=user, note=request.POST.get("note", "")[:200]
                )
                checkin.full_clean(exclude=["version"])
                checkin.save()
            if not patrol.missed().exists():
                patrol.close()
                messages.success(request, _("已签到；本路线全部点位已巡查，巡查完成。"))
            else:
                messages.success(request, _("已签到：%(c)s") % {"c": checkpoint.name})
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(request.path)
    done = set(patrol.checkins.values_list("checkpoint_id", flat=True)) if patrol else set()
    return render(
        request,
        "logistics/checkin.html",
        {
            "title": _("巡查签到"),
            "checkpoint": checkpoint,
            "patrol": patrol,
            "points": [(c, c.pk in done) for c in route.checkpoints.all()],
        },
    )


@login_required
@require_POST
def patrol_close(request, pk):
    if not can(request.user, Patrol, "change"):
        generic.deny(request, Patrol)
    patrol = get_object_or_404(Patrol.objects.for_user(request.user, "change").select_related("route"), pk=pk)
    try:
        missed = patrol.close()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("巡查已结束：%(s)s") % {"s": patrol.get_state_display()} + ("；" + patrol.note if missed else "")
        )
    return HttpResponseRedirect(patrol.get_absolute_url())


class ApplicantViews(generic.ModelViews):
    model = Applicant
    form = forms.ApplicantForm
    filterset = filtersets.ApplicantFilterSet
    columns = ("compound", "ranking", "name", "unit", "eligible")


class SaleFlatViews(generic.ModelViews):
    model = SaleFlat
    form = forms.SaleFlatForm
    filterset = filtersets.SaleFlatFilterSet
    columns = ("compound", "building", "number", "area", "price", "state", "applicant", "paid")
    detail_fields = (
        "compound",
        "building",
        "number",
        "area",
        "price",
        "state",
        "applicant",
        "paid",
        "reserved_on",
        "sold_on",
    )
    detail_template = "logistics/saleflat_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        if not can(user, SaleFlat, "change"):
            return {}
        return {
            "next_in_line": sales.next_in_line(obj.compound) if obj.state == FlatState.AVAILABLE else None,
            "can_sell": True,
        }


class CanteenMilestoneViews(generic.ModelViews):
    model = CanteenMilestone
    form = forms.CanteenMilestoneForm
    filterset = filtersets.CanteenMilestoneFilterSet
    columns = ("project", "name", "planned", "actual", "state")


class CanteenMonthViews(generic.ModelViews):
    model = CanteenMonth
    form = forms.CanteenMonthForm
    filterset = filtersets.CanteenMonthFilterSet
    columns = ("month", "canteen", "unit", "meals", "cost", "food_waste_kg", "waste_per_meal_g")
    computed_reads = {"waste_per_meal_g": ("food_waste_kg", "meals")}


@login_required
@require_POST
def saleflat_act(request, pk):
    """Reserve for the next in line, sell when paid, or release a reservation."""
    if not can(request.user, SaleFlat, "change"):
        generic.deny(request, SaleFlat)
    flat = get_object_or_404(SaleFlat.objects.for_user(request.user, "change"), pk=pk)
    move = request.POST.get("move")
    try:
        if move == "reserve":
            applicant = get_object_or_404(
                Applicant.objects.for_user(request.user, "view"), pk=request.POST.get("applicant") or 0
            )
            sales.reserve(flat, applicant)
        elif move == "sell":
            sales.sell(flat)
        elif move == "release":
            sales.release(flat)
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("%(f)s：%(s)s") % {"f": flat, "s": flat.get_state_display()})
    return HttpResponseRedirect(flat.get_absolute_url())


@login_required
@require_POST
def booking_decide(request, pk):
    booking = get_object_or_404(Booking.objects.for_user(request.user, "view").select_related("venue"), pk=pk)
    try:
        bookings.decide(booking, request.user, request.POST.get("move", ""), request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied:
        generic.deny(request, Booking)
    else:
        messages.success(request, _("已更新：%(obj)s") % {"obj": booking})
    return HttpResponseRedirect(booking.get_absolute_url())


def week_of(request):
    """The day asked for (?date=YYYY-MM-DD, today by default) and the view (week or day)."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    mode = "day" if request.GET.get("view") == "day" else "week"
    first = day if mode == "day" else day - datetime.timedelta(days=day.weekday())
    return day, mode, [first + datetime.timedelta(days=i) for i in range(1 if mode == "day" else 7)]


@login_required
def venue_calendar(request, pk):
    """A venue's bookings for a week or a day, printable. Three queries whatever the bookings:
    the venue, the bookings with their units, the ones the user may open."""
    user = request.user
    if not sees_catalogue(user):
        generic.deny(request, Venue)
    venue = get_object_or_404(Venue.objects.for_user(user, "view"), pk=pk)
    day, mode, days = week_of(request)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(days[0], datetime.time.min, tz)
    until = datetime.datetime.combine(days[-1] + datetime.timedelta(days=1), datetime.time.min, tz)
    found = list(
        venue.bookings.filter(start__lt=until, end__gt=since)
        .exclude(state__in=("declined", "cancelled"))
        .select_related("unit")
        .order_by("start")
    )
    visible = set(
        Booking.objects.for_user(user, "view").filter(pk__in=[b.pk for b in found]).values_list("pk", flat=True)
    )
    columns = []
    for d in days:
        start = datetime.datetime.combine(d, datetime.time.min, tz)
        stop = start + datetime.timedelta(days=1)
        columns.append((d, [(b, b.pk in visible) for b in found if b.start < stop and b.end > start]))
    step = datetime.timedelta(days=1 if mode == "day" else 7)
    return render(
        request,
        "logistics/calendar.html",
        {
            "title": _("%(venue)s 预订日历") % {"venue": venue},
            "venue": venue,
            "mode": mode,
            "day": day,
            "columns": columns,
            "previous": day - step,
            "next": day + step,
            "can_book": can(user, Booking, "add"),
        },
    )
