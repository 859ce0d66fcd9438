FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY tenants ./tenants
COPY kpi ./kpi
COPY checklist ./checklist
COPY integrations ./integrations
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir . && useradd --create-home ikkan \
    && DJANGO_SETTINGS_MODULE=config.settings.local python manage.py collectstatic --noinput
USER ikkan
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
