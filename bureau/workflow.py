"""The data-request engine: publish a request, fill, submit, return, approve, reopen.

Every transition is a conditional UPDATE on the submission's state (the claim pattern), so two
people acting at once cannot both succeed: one approval, never two. Each is permission-checked,
written to the audit trail (by the audited queryset) and to the submission's review log.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau.choices import Frequency, RequestState, ReviewAction
from bureau.choices import SubmissionState as S
from bureau.models import DataRequest, Review, Submission
from bureau.requests import REGISTRY, Flag
from bureau.scoping import has_model_perm

EDITABLE = (S.DRAFT, S.RETURNED)
UNDER_REVIEW = (S.SUBMITTED, S.RESUBMITTED)


class TransitionError(Exception):
    """The submission is no longer in a state that allows the action (someone else acted first)."""


def kind_of(submission_or_request):
    request = getattr(submission_or_request, "request", submission_or_request)
    try:
        return REGISTRY[request.kind]
    except KeyError:
        raise TransitionError(_("未知的填报类型：%(kind)s") % {"kind": request.kind}) from None


def periods(year, frequency):
    """(label, index, last day) for each period of a year."""
    if frequency == Frequency.MONTHLY:
        return [(f"{year}-{m:02d}", m, datetime.date(year, m, calendar.monthrange(year, m)[1])) for m in range(1, 13)]
    if frequency == Frequency.QUARTERLY:
        return [
            (f"{year}-Q{q}", q, datetime.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])) for q in range(1, 5)
        ]
    return [(str(year), 0, datetime.date(year, 12, 31))]


def period_months(period):
    """The months (year, month) a period label covers: '2022' → 12, '2022-Q2' → 3, '2022-05' → 1."""
    year = int(period[:4])
    if len(period) == 4:
        return [(year, m) for m in range(1, 13)]
    if period[5] == "Q":
        q = int(period[6])
        return [(year, m) for m in range(3 * q - 2, 3 * q + 1)]
    return [(year, int(period[5:7]))]


def _log(submission, action, user, comment=""):
    Review.objects.create(
        submission=submission, action=action, comment=comment, user=user, username=user.username if user else ""
    )


def can_fill(user, submission):
    return Submission.objects.for_user(user, "change").filter(pk=submission.pk).exists()


def can_review(user, submission):
    # Liaisons never hold the model permission, so they can fill but never review.
    return has_model_perm(user, Submission, "change") and can_fill(user, submission)


def deadline_of(request, deadline, last_day, today):
    """A period's deadline. Annual: the request's deadline. Monthly and quarterly: grace_days after
    the period ends; a period whose own deadline has passed when the request is published is
    caught up by the request's deadline, and never sooner than grace_days from publication."""
    if request.frequency == Frequency.ANNUAL:
        return deadline
    grace = datetime.timedelta(days=request.grace_days)
    own = last_day + grace
    return own if own >= today else max(deadline, today + grace)


@transaction.atomic
def publish(request, user, today=None):
    """Open a draft request: one submission per target unit and period, pre-filled if the kind can."""
    if not DataRequest.objects.for_user(user, "change").filter(pk=request.pk).exists():
        raise PermissionDenied
    kind = kind_of(request)
    if not DataRequest.objects.filter(pk=request.pk, state=RequestState.DRAFT).update(state=RequestState.OPEN):
        raise TransitionError(_("此填报任务已发布。"))
    units = list(request.units.all())
    if not units:
        raise TransitionError(_("请先选择填报单位。"))
    today = today or timezone.localdate()
    stored = DataRequest.objects.values_list("deadline", flat=True).get(pk=request.pk)
    items = []
    for label, index, last_day in periods(request.year, request.frequency):
        deadline = deadline_of(request, stored, last_day, today)
        for unit in units:
            rows = kind.initial_rows(unit, label) if kind.initial_rows else []
            items.append(
                Submission(request=request, unit=unit, period=label, period_index=index, deadline=deadline, rows=rows)
            )
    Submission.objects.bulk_create(items, batch_size=1000)
    request.refresh_from_db()
    return len(items)


def row_forms(submission, rows):
    kind = kind_of(submission)
    return [kind.row_form(data=row, submission=submission) for row in rows]


def shape_errors(submission, rows):
    """Rows the row form cannot read (an API body): a row that is not an object, a column the form
    does not have (it would be stored as it came), a value that is not text, a number or a list."""
    columns = kind_of(submission).row_form(submission=submission).fields
    errors = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            errors.append((number, _("整行"), _("每行须为对象：{列名: 值}。")))
            continue
        for name, value in row.items():
            if name not in columns:
                errors.append((number, name, _("没有这一列。")))
            elif isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
            ):
                errors.append((number, str(columns[name].label), _("须为文本、数字或其列表。")))
    return errors


def validate_rows(submission, rows):
    """Check rows with the kind's row form; returns (cleaned rows, errors as (row, field label, message))."""
    kind = kind_of(submission)
    cleaned, errors = [], shape_errors(submission, rows)
    if errors:
        return cleaned, errors
    for number, form in enumerate(row_forms(submission, rows), 1):
        if form.is_valid():
            cleaned.append(form.cleaned_data)
            continue
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else _("整行")
            errors.extend((number, str(label), str(m)) for m in messages)
    if not errors and len(rows) < kind.min_rows:
        errors.append((None, "", _("至少需要填报 %(n)d 行。") % {"n": kind.min_rows}))
    if not errors and hasattr(kind.row_form, "clean_rows"):
        # Checks across rows (duplicates, totals) that a single row cannot see.
        errors.extend(kind.row_form.clean_rows(submission, cleaned))
    return cleaned, errors


def clean_rows(submission):
    cleaned, errors = validate_rows(submission, submission.rows)
    if errors:
        raise TransitionError(_("填报数据未通过校验，请修改后再操作。"))
    return cleaned


def _claim(submission, allowed, **values):
    """Move the submission on only if it is still in an allowed state; True if this call won."""
    claimed = Submission.objects.filter(pk=submission.pk, state__in=allowed).update(**values)
    submission.refresh_from_db()
    return bool(claimed)


@transaction.atomic
def save_rows(submission, rows, user):
    """Store a unit's rows (raw form data); nothing is stored if any row is invalid."""
    if not can_fill(user, submission):
        raise PermissionDenied
    _cleaned, errors = validate_rows(submission, rows)
    if errors:
        return errors
    if not _claim(submission, EDITABLE, rows=[_raw(r) for r in rows]):
        raise TransitionError(_("当前状态不能修改数据（已报送或已通过）。"))
    _log(submission, ReviewAction.SAVE, user)
    return []


def _raw(row):
    return {
        k: ("" if v is None else str(v) if not isinstance(v, list) else [str(i) for i in v]) for k, v in row.items()
    }


@transaction.atomic
def submit(submission, user):
    if not can_fill(user, submission):
        raise PermissionDenied
    cleaned = clean_rows(submission)
    kind = kind_of(submission)
    flags = [f.as_dict() if isinstance(f, Flag) else f for check in kind.checks for f in check(submission, cleaned)]
    new_state = S.RESUBMITTED if submission.reviews.filter(action=ReviewAction.RETURN).exists() else S.SUBMITTED
    if not _claim(submission, EDITABLE, state=new_state, flags=flags, submitted_at=timezone.now()):
        raise TransitionError(_("此填报已报送或已通过，不能重复报送。"))
    _log(submission, ReviewAction.SUBMIT, user)


@transaction.atomic
def withdraw(submission, user):
    """The unit takes back what it sent while no reviewer has decided: a first submission goes
    back to draft, a resubmission back to returned (the reviewer's comment kept)."""
    if not can_fill(user, submission):
        raise PermissionDenied
    back = {S.SUBMITTED: S.DRAFT, S.RESUBMITTED: S.RETURNED}.get(submission.state)
    if back is None or not _claim(submission, (submission.state,), state=back, submitted_at=None):
        raise TransitionError(_("审核已办结，不能撤回；如需修改，请联系审核处室退回。"))
    # Review.action has no "withdraw" choice (adding one needs a bureau migration): the log says it.
    _log(submission, ReviewAction.SAVE, user, _("撤回报送"))


@transaction.atomic
def return_(submission, user, comment):
    if not can_review(user, submission):
        raise PermissionDenied
    if not comment.strip():
        raise TransitionError(_("退回时请填写退回意见，告诉单位需要修改什么。"))
    if not _claim(submission, UNDER_REVIEW, state=S.RETURNED, comment=comment, reviewed_at=timezone.now()):
        raise TransitionError(_("此填报已被他人处理，请刷新页面。"))
    _log(submission, ReviewAction.RETURN, user, comment)


@transaction.atomic
def approve(submission, user, comment=""):
    if not can_review(user, submission):
        raise PermissionDenied
    cleaned = clean_rows(submission)
    if not _claim(submission, UNDER_REVIEW, state=S.APPROVED, comment=comment, reviewed_at=timezone.now()):
        raise TransitionError(_("此填报已被他人处理，请刷新页面。"))
    kind = kind_of(submission)
    if kind.on_approve:
        kind.on_approve(submission, cleaned)
    _log(submission, ReviewAction.APPROVE, user, comment)


@transaction.atomic
def reopen(submission, user, reason):
    if not can_review(user, submission):
        raise PermissionDenied
    if not reason.strip():
        raise TransitionError(_("重新打开已通过的数据须填写理由。"))
    if not _claim(submission, (S.APPROVED,), state=S.RETURNED, comment=reason, reviewed_at=timezone.now()):
        raise TransitionError(_("只有已通过的填报可以重新打开。"))
    _log(submission, ReviewAction.REOPEN, user, reason)


def due_class(submission, today=None):
    """'overdue' (red), 'due' (yellow, within REQUEST_DUE_SOON_DAYS) or '' for a submission."""
    if submission.state not in EDITABLE:
        return ""
    today = today or timezone.localdate()
    if submission.deadline < today:
        return "overdue"
    if (submission.deadline - today).days <= settings.REQUEST_DUE_SOON_DAYS:
        return "due"
    return ""
