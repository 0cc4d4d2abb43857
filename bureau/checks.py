from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Roles, liaison units and API list pages are cached and dropped on change; a per-process cache
    would let one worker keep serving what another worker's write made stale."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return [
            checks.Warning(
                "REDIS_URL is not set: the cache is per process.",
                hint="Set REDIS_URL in production; gunicorn's workers must share one cache.",
                id="bureau.W001",
            )
        ]
    return []


@checks.register(deploy=True)
def job_redelivery(app_configs, **kwargs):
    """The broker gives an unacknowledged job to another worker once the visibility timeout has
    passed: if that is shorter than the longest job, a live job is started a second time."""
    if settings.JOB_VISIBILITY_TIMEOUT <= settings.JOB_TIME_LIMIT:
        return [
            checks.Warning(
                "CELERY_VISIBILITY_TIMEOUT is not longer than JOB_TIME_LIMIT.",
                hint="Raise CELERY_VISIBILITY_TIMEOUT above the longest job's time limit.",
                id="bureau.W007",
            )
        ]
    return []
