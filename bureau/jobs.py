"""Long-running work (large exports and imports, the annual workbook): progress pages and downloads.

A job is seen by the user who started it; jobs of the kinds in `SHARED_KINDS` also by holders of
the kind's permission (past annual workbooks are the bureau's, not one person's). Anyone else gets
404. The page polls `status` (static/bureau/job.js) and shows the download link when done.
"""

import contextlib
import contextvars
import logging
import shutil
import tempfile
import threading

from celery import shared_task
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connections
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl.worksheet import _writer as openpyxl_writer

from bureau import audit
from bureau.choices import JobState
from bureau.models import Job
from bureau.scoping import fingerprint

logger = logging.getLogger(__name__)

EXPORT = "export"
# Job kinds that everyone holding the permission may see, beside the one who started them.
SHARED_KINDS = {"annual_report": "bureau.view_annual_report"}


def visible_jobs(user):
    condition = Q(user=user)
    for kind, permission in SHARED_KINDS.items():
        if user.has_perm(permission):
            condition |= Q(kind=kind)
    return Job.objects.filter(condition).select_related("user")


def _job(request, pk):
    return audit.get_in_scope(visible_jobs(request.user), request.user, pk=pk)


def servable(job, user):
    """A finished file, built in the scope the user still has: an export made before a unit grant
    was revoked holds rows the user may no longer see."""
    return job.state == JobState.DONE and bool(job.file) and not stale(job, user)


def stale(job, user):
    """Built in a scope other than the user's now (a job without the record predates the check)."""
    built_in = job.params.get("scope")
    return built_in is not None and built_in != fingerprint(user)


# The run's scratch directory, where openpyxl's write-only sheets keep their temporary files too.
_scratch = contextvars.ContextVar("job_scratch", default=None)
_openpyxl_temporary_file = openpyxl_writer.create_temporary_file


def _temporary_file(suffix=""):
    directory = _scratch.get()
    if directory is None:
        return _openpyxl_temporary_file(suffix)
    with tempfile.NamedTemporaryFile(suffix=suffix, prefix="openpyxl.", dir=directory, delete=False) as handle:
        openpyxl_writer.ALL_TEMP_FILES.append(handle.name)
        return handle.name


openpyxl_writer.create_temporary_file = _temporary_file


def scratch(job_id):
    return settings.JOB_SCRATCH_DIR / str(job_id)


def _beat(job_id, stop):
    try:
        while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(heartbeat=timezone.now())
    finally:
        connections.close_all()


@contextlib.contextmanager
def working(job):
    """One run of `job`: its own scratch directory, emptied first (a killed run may have left files
    there) and removed after, and a heartbeat however long a step takes. A killed worker leaves
    the directory and a stale heartbeat, which the sweep finds."""
    directory = scratch(job.pk)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    token = _scratch.set(directory)
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(job.pk, stop), daemon=True)
    beat.start()
    try:
        yield directory
    finally:
        stop.set()
        beat.join()
        _scratch.reset(token)
        shutil.rmtree(directory, ignore_errors=True)


def start_export(config, request):
    """A background export of what `request` filters on `config`'s list. Only ids and the query
    are stored: the task derives the queryset again, as that user."""
    opts = config.model._meta
    job = Job.objects.create(
        kind=EXPORT,
        title=_("导出：%(name)s") % {"name": opts.verbose_name_plural},
        user=request.user,
        params={"app": opts.app_label, "model": opts.model_name, "query": request.GET.urlencode()},
    )
    # Autocommit (no ATOMIC_REQUESTS): the row is visible to a worker as soon as it is queued.
    export_list.delay(job.pk)
    return job


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=settings.JOB_TIME_LIMIT)
def export_list(job_id):
    """Idempotent: a run after a killed one writes the file afresh."""
    from django.apps import apps

    from bureau.excel import filename, write_workbook
    from bureau.generic import registry

    job = Job.objects.get(pk=job_id)
    if not job.claim():
        return job_id
    try:
        user = get_user_model().objects.get(pk=job.user_id, is_active=True)
        config = registry()[apps.get_model(job.params["app"], job.params["model"])]
        # The list's own filter path with the job's user: the same rows the user saw, in their scope.
        request = HttpRequest()
        request.user, request.method = user, "GET"
        request.GET = QueryDict(job.params["query"])
        _filter, queryset = config.filtered(request)
        total = queryset.count()
        job.report(0, total)
        scope = fingerprint(user)  # before the reading: a grant revoked meanwhile refuses the file
        with working(job) as directory, tempfile.TemporaryFile(dir=directory) as handle, audit.acting_as(user):
            done = write_workbook(config, queryset, handle, progress=lambda n: job.report(n, total))
            handle.seek(0)
            job.file.save(f"{job.pk}-{filename(config)}", File(handle), save=False)
        if not job.finish(file=job.file.name, done=done, total=done, params=job.params | {"scope": scope}):
            job.file.delete(save=False)
    except Exception:
        logger.exception("export job %s failed", job_id)
        job.fail(_("导出失败，请稍后重试或联系管理员。"))
    return job_id


IMPORT = "import"
ERRORS_SHOWN = 50


def start_import(config, upload, request):
    """A background import of `upload` into `config`'s registry, as the requesting user. The file
    is kept only until the job has read it (it holds personal data)."""
    opts = config.model._meta
    ctx = audit.current()
    job = Job.objects.create(
        kind=IMPORT,
        title=_("导入：%(name)s") % {"name": opts.verbose_name_plural},
        user=request.user,
        # The audit entries name the request the file came with, as a direct import's do.
        params={"app": opts.app_label, "model": opts.model_name, "ip": ctx.ip, "path": ctx.path},
    )
    upload.seek(0)
    job.file.save(f"{job.pk}-import.xlsx", upload, save=True)
    import_upload.delay(job.pk)
    return job


@shared_task(time_limit=settings.JOB_TIME_LIMIT)
def import_upload(job_id):
    from django.apps import apps

    from bureau.generic import registry
    from bureau.imports.checks import UploadRejected
    from bureau.imports.reading import data_rows
    from bureau.imports.writing import import_registry

    job = Job.objects.get(pk=job_id)
    # Not delivered again after a lost worker: the rows may have been saved before it died. The
    # sweep fails the job and removes the file instead.
    if not job.claim():
        return job_id
    result = {"state": JobState.FAILED, "finished": timezone.now()}
    try:
        user = get_user_model().objects.get(pk=job.user_id, is_active=True)
        config = registry()[apps.get_model(job.params["app"], job.params["model"])]
        with working(job), job.file.open("rb") as handle, audit.acting_as(user, job.params["ip"], job.params["path"]):
            upload = File(handle, name=job.file.name)
            total = data_rows(upload)
            job.report(0, total)
            created, errors = import_registry(config, upload, user, progress=lambda n: job.report(min(n, total), total))
        if errors:
            shown = "；".join(
                _("第 %(row)d 行%(column)s：%(message)s")
                % {"row": e.row, "column": f"「{e.column}」" if e.column else "", "message": e.message}
                for e in errors[:ERRORS_SHOWN]
            )
            result["error"] = _("共 %(n)d 处错误，全部数据均未导入。%(shown)s") % {"n": len(errors), "shown": shown}
        else:
            result.update(state=JobState.DONE, done=len(created), total=len(created))
    except UploadRejected as exc:
        result["error"] = str(exc)
    except PermissionDenied:
        result["error"] = _("文件中有您无权导入的记录，全部数据均未导入。")
    except Exception:
        logger.exception("import job %s failed", job_id)
        result["error"] = _("导入失败，请稍后重试或联系管理员。")
    finally:
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="", **result)
    return job_id


def retryable(job, user):
    """A failed export may be started again by its owner (in the scope they have now), a failed
    annual workbook by anyone who may build one. A failed import is uploaded again instead: its
    file is gone."""
    if job.state != JobState.FAILED:
        return False
    if job.kind == EXPORT:
        return job.user_id == user.pk
    return job.kind in SHARED_KINDS and user.has_perm(SHARED_KINDS[job.kind])


def _status(job, user):
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error or (_("您的权限已变更，此文件不再提供下载，请重新导出。") if stale(job, user) else ""),
        "download": reverse("jobs:download", args=[job.pk]) if servable(job, user) else "",
        "retry": reverse("jobs:retry", args=[job.pk]) if retryable(job, user) else "",
    }


@login_required
def job_list(request):
    jobs = visible_jobs(request.user)[:100]
    for job in jobs:
        job.servable = servable(job, request.user)
    return render(request, "bureau/jobs.html", {"jobs": jobs, "title": _("后台任务")})


@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    return render(request, "bureau/job.html", {"job": job, "status": _status(job, request.user), "title": job.title})


@login_required
def job_status(request, pk):
    return JsonResponse(_status(_job(request, pk), request.user))


@login_required
def job_download(request, pk):
    job = _job(request, pk)
    if not servable(job, request.user):
        raise Http404
    name = f"{job.title}.xlsx".replace("：", "-").replace("/", "-")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


@require_POST
@login_required
def job_retry(request, pk):
    from bureau.tasks import build_annual_report

    job = _job(request, pk)
    if not retryable(job, request.user):
        raise PermissionDenied
    params = {k: v for k, v in job.params.items() if k != "scope"}
    again = Job.objects.create(kind=job.kind, title=job.title, user=request.user, params=params)
    (export_list if job.kind == EXPORT else build_annual_report).delay(again.pk)
    messages.success(request, _("已重新开始。"))
    return redirect("jobs:detail", again.pk)


urlpatterns = [
    path("", job_list, name="list"),
    path("<int:pk>/", job_detail, name="detail"),
    path("<int:pk>/status/", job_status, name="status"),
    path("<int:pk>/download/", job_download, name="download"),
    path("<int:pk>/retry/", job_retry, name="retry"),
]
