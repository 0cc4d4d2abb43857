"""Celery tasks of the core. Tasks take ids, never objects, and scope through for_user."""

import tempfile

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.mail import send_mass_mail
from django.utils import timezone

import bureau.jobs  # noqa: F401  (the export task lives beside its views)
from bureau import audit, reports
from bureau.choices import JobState, SubmissionState
from bureau.models import Job, Submission, Unit, UnitUserObjectPermission
from bureau.scoping import LIAISON_PERMISSION


def reminder_due(deadline, today):
    """Today is a reminder day for this deadline: N days before it, or the first overdue day and
    every REMINDER_OVERDUE_EVERY_DAYS after."""
    days_left = (deadline - today).days
    if days_left >= 0:
        return days_left in settings.REMINDER_DAYS_BEFORE
    late = -days_left
    return late == 1 or (late - 1) % settings.REMINDER_OVERDUE_EVERY_DAYS == 0


@shared_task
def send_reminders(today=None):
    """E-mail each liaison once per reminder day about their units' unsent submissions."""
    today = timezone.localdate() if today is None else timezone.datetime.fromisoformat(today).date()
    pending = (
        Submission.objects.filter(state__in=(SubmissionState.DRAFT, SubmissionState.RETURNED))
        .filter(request__state="open")
        .select_related("request", "unit")
        .order_by("unit_id", "deadline")
    )
    by_unit = {}
    for sub in pending.iterator():
        if reminder_due(sub.deadline, today):
            by_unit.setdefault(sub.unit_id, []).append(sub)
    if not by_unit:
        return 0
    grants = UnitUserObjectPermission.objects.filter(
        content_object_id__in=by_unit, permission__codename=LIAISON_PERMISSION, user__is_active=True
    ).select_related("user")
    messages = []
    for grant in grants:
        if not grant.user.email:
            continue
        lines = []
        for sub in by_unit[grant.content_object_id]:
            late = (today - sub.deadline).days
            when = f"已逾期 {late} 天" if late > 0 else f"截止 {sub.deadline:%Y-%m-%d}"
            lines.append(f"- {sub.request.title}（{sub.period}）{when}：{settings.PORTAL_URL}{sub.get_absolute_url()}")
        unit = by_unit[grant.content_object_id][0].unit
        body = f"{unit.name}联络员您好：\n\n以下数据填报尚未报送：\n" + "\n".join(lines) + "\n\n机关事务管理局门户"
        messages.append((f"【填报提醒】{unit.name}有 {len(lines)} 项填报待报送", body, None, [grant.user.email]))
    send_mass_mail(messages, fail_silently=False)
    return len(messages)


@shared_task
def build_annual_report(job_id):
    """Build the annual workbook for the job's year, in the scope of the user who asked for it."""
    job = Job.objects.get(pk=job_id)
    user = get_user_model().objects.get(pk=job.user_id) if job.user_id else None
    year = int(job.params["year"])
    units = Unit.objects.for_user(user, "view") if user else Unit.objects.all()
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, total=len(reports.all_sheets()))
    try:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle, audit.acting_as(user):
            reports.build_workbook(
                handle.name,
                year,
                units,
                by=user.get_full_name() or user.username if user else "定时任务",
                progress=lambda done, total: job.report(done, total),
            )
            job.refresh_from_db()
            with open(handle.name, "rb") as built:
                job.file.save(f"annual-{year}-{job.pk}.xlsx", File(built), save=False)
        Job.objects.filter(pk=job.pk).update(file=job.file.name, state=JobState.DONE, finished=timezone.now())
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error=str(exc)[:2000], finished=timezone.now())
        raise
    return job.pk


@shared_task
def scheduled_annual_report(year=None):
    """Beat entry: the previous year's workbook, built for the whole city."""
    year = year or timezone.localdate().year - 1
    job = Job.objects.create(kind="annual_report", title=f"{year} 年度统计报表（定时）", params={"year": year})
    return build_annual_report(job.pk)


@shared_task
def close_year(job_id):
    """Freeze a year's figures (bureau.snapshots), as the user who asked for it."""
    from bureau import snapshots

    job = Job.objects.get(pk=job_id)
    user = get_user_model().objects.get(pk=job.user_id) if job.user_id else None
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    try:
        with audit.acting_as(user):
            snapshots.close_year(
                int(job.params["year"]),
                user,
                job.params["reason"],
                progress=lambda done, total: job.report(done, total),
            )
        Job.objects.filter(pk=job.pk).update(state=JobState.DONE, finished=timezone.now())
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error=str(exc)[:2000], finished=timezone.now())
        raise
    return job.pk
