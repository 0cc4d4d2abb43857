FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --create-home --uid 1000 portal
# Only the runtime requirements, from the package index (nothing else is downloaded).
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Static files are collected at build time (the migrate service collects them again into the shared
# volume that nginx serves, so an upgraded image replaces them).
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown -R portal:portal /app/media /app/staticfiles
USER portal
EXPOSE 8000
CMD ["gunicorn", "bureau.wsgi:application", "--bind=0.0.0.0:8000", "--workers=4", "--timeout=120", "--access-logfile=-"]
