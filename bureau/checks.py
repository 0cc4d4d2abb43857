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
