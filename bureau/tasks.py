"""Celery tasks of the core. Tasks take ids, never objects, and scope through for_user."""

import datetime
import logging
import shutil

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau import audit, jobs, reports
from bureau.choices import JobState, SubmissionState
from bureau.models import Job, Submission, Unit, UnitUserObjectPermission
from bureau.scoping import LIAISON_PERMISSION

logger = logging.getLogger(__name__)


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


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=settings.JOB_TIME_LIMIT)
def build_annual_report(job_id):
    """Build the annual workbook for the job's year, in the scope of the user who asked for it.
    Idempotent: a run after a killed one builds the workbook afresh."""
    job = Job.objects.get(pk=job_id)
    if not job.claim(total=len(reports.all_sheets())):
        return job.pk
    try:
        user = get_user_model().objects.get(pk=job.user_id) if job.user_id else None
        year = int(job.params["year"])
        units = Unit.objects.for_user(user, "view") if user else Unit.objects.all()
        with jobs.working(job) as directory, audit.acting_as(user):
            path = directory / f"annual-{year}.xlsx"
            reports.build_workbook(
                path,
                year,
                units,
                by=user.get_full_name() or user.username if user else "定时任务",
                progress=lambda done, total: job.report(done, total),
            )
            with open(path, "rb") as built:
                job.file.save(f"annual-{year}-{job.pk}.xlsx", File(built), save=False)
        if not job.finish(file=job.file.name):
            job.file.delete(save=False)
    except Exception as exc:
        job.fail(str(exc)[:2000])
        raise
    return job.pk


@shared_task
def sweep_jobs():
    """Beat entry: fail the jobs whose worker died (no heartbeat for JOB_STALE_SECONDS), and remove
    what they left behind: the scratch directory, an import's uploaded file."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
    lost = _("后台处理进程中断，任务未完成（已 %(minutes)d 分钟没有进展）。") % {
        "minutes": max(1, settings.JOB_STALE_SECONDS // 60)
    }
    swept = 0
    silent = Q(heartbeat__lt=stale) | Q(heartbeat=None, created__lt=stale)  # None: started before heartbeats
    for job in Job.objects.filter(silent, state=JobState.RUNNING):
        # An import's file is removed below (it holds personal data): it is uploaded again instead.
        error = lost + (_("请重新上传文件导入。") if job.kind == jobs.IMPORT else _("可点击“重试”重新开始。"))
        # Only if it has not beaten since it was read: a run that came back keeps its job.
        if Job.objects.filter(pk=job.pk, state=JobState.RUNNING, heartbeat=job.heartbeat).update(
            state=JobState.FAILED, error=error, finished=timezone.now()
        ):
            logger.warning("job %s (%s) lost its worker; marked failed", job.pk, job.kind)
            shutil.rmtree(jobs.scratch(job.pk), ignore_errors=True)
            if job.kind == jobs.IMPORT and job.file:
                job.file.delete(save=False)
                Job.objects.filter(pk=job.pk).update(file="")
            swept += 1
    return swept


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
    if not job.claim():
        return job.pk
    user = get_user_model().objects.get(pk=job.user_id) if job.user_id else None
    try:
        with audit.acting_as(user):
            snapshots.close_year(
                int(job.params["year"]),
                user,
                job.params["reason"],
                progress=lambda done, total: job.report(done, total),
            )
        job.finish()
    except Exception as exc:
        job.fail(str(exc)[:2000])
        raise
    return job.pk
