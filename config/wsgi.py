import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: an image started on its own must never run with DEBUG and the
# published development key (manage.py and the Makefile's demo choose the local settings).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
