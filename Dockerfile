FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# pg_dump/pg_restore for `scripts/backup.py` inside the container; LibreOffice (headless) and
# Liberation Serif (Times New Roman's metrics, full Vietnamese) turn periodic reports into PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
       libreoffice-writer-nogui fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 cds
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock .
# The context is the portal only (.dockerignore: no tests, benchmark, docs or dev tools).
COPY . .
ENV DJANGO_SETTINGS_MODULE=camau_cds.settings.production
# collectstatic needs a key only to import settings; the real one comes from the environment.
# CI runs this step on the same context (.ci/run).
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=x python manage.py collectstatic --noinput
USER cds
EXPOSE 8000
# gunicorn.conf.py (in /app): bind 0.0.0.0:8000, workers from WEB_CONCURRENCY, timeout 60 s.
CMD ["gunicorn", "camau_cds.wsgi:application"]
