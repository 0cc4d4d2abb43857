"""Celery tasks of the core. Tasks take ids, never objects, and scope through for_user."""

import datetime
import logging
import shutil

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.mail import send_mass_mail
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau import audit, jobs, reports
from bureau.choices import AuditAction, JobState, SubmissionState
from bureau.models import AuditEntry, DataRequest, Job, Submission, Unit, UnitUserObjectPermission
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
    return send_mass_mail(reminder_mails(by_unit, today), fail_silently=False)


def liaison_emails(unit_ids):
    """{unit id: [e-mail]} of the active liaisons of these units who have an address."""
    grants = (
        UnitUserObjectPermission.objects.filter(
            content_object_id__in=unit_ids, permission__codename=LIAISON_PERMISSION, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("content_object_id", "user__email")
    )
    emails = {}
    for unit_id, email in grants:
        emails.setdefault(unit_id, []).append(email)
    return emails


def reminder_mails(by_unit, today):
    """One e-mail per liaison listing their unit's unsent submissions ({unit id: [submission]})."""
    messages = []
    for unit_id, emails in liaison_emails(by_unit).items():
        lines = []
        for sub in by_unit[unit_id]:
            late = (today - sub.deadline).days
            when = f"已逾期 {late} 天" if late > 0 else f"截止 {sub.deadline:%Y-%m-%d}"
            lines.append(f"- {sub.request.title}（{sub.period}）{when}：{settings.PORTAL_URL}{sub.get_absolute_url()}")
        unit = by_unit[unit_id][0].unit
        body = f"{unit.name}联络员您好：\n\n以下数据填报尚未报送：\n" + "\n".join(lines) + "\n\n机关事务管理局门户"
        subject = f"【填报提醒】{unit.name}有 {len(lines)} 项填报待报送"
        messages.extend((subject, body, None, [email]) for email in emails)
    return messages


REMINDED = "催报"  # the audit entry's change key for a reminder sent by hand


def remind_now(request, submissions, user):
    """催报: e-mail the liaisons of these units now about their unsent submissions of `request`,
    one audit entry per unit (the grid shows the last one). Returns (units, e-mails sent)."""
    today = timezone.localdate()
    by_unit = {}
    for sub in submissions.select_related("request", "unit").order_by("unit_id", "deadline"):
        by_unit.setdefault(sub.unit_id, []).append(sub)
    sent = send_mass_mail(reminder_mails(by_unit, today), fail_silently=False) if by_unit else 0
    with audit.acting_as(user):
        for unit_id, subs in by_unit.items():
            audit.record(
                AuditAction.ACTION, request, unit_id=unit_id, changes={REMINDED: [None, [s.period for s in subs]]}
            )
    return [subs[0].unit for subs in by_unit.values()], sent


def last_reminders(request):
    """{unit id: time of the last 催报} for a request."""
    entries = AuditEntry.objects.filter(
        action=AuditAction.ACTION,
        content_type=ContentType.objects.get_for_model(DataRequest),
        object_id=str(request.pk),
        changes__has_key=REMINDED,
    )
    return dict(entries.values("unit_id").annotate(last=Max("time")).values_list("unit_id", "last"))


def notify_returned(submission):
    """Tell the unit's liaisons their submission came back, with the reviewer's comment; the
    number of e-mails sent."""
    emails = liaison_emails([submission.unit_id]).get(submission.unit_id, [])
    title = f"{submission.request.title}（{submission.period}）"
    body = (
        f"{submission.unit.name}联络员您好：\n\n{title}已退回修改，审核意见：\n{submission.comment}\n\n"
        f"请修改后重新报送：{settings.PORTAL_URL}{submission.get_absolute_url()}\n\n机关事务管理局门户"
    )
    return send_mass_mail([(f"【填报退回】{title}", body, None, [e]) for e in emails], fail_silently=False)


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
