"""Settings of the API benchmark's gunicorn only: the project's settings with a URLconf that adds
the bare endpoint (bench/api_bench_urls.py). Never used by the portal."""

from bureau.settings import *  # noqa: F403

ROOT_URLCONF = "api_bench_urls"
