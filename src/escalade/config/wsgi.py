"""WSGI entry point (gunicorn escalade.config.wsgi)."""

from django.core.wsgi import get_wsgi_application

from .startup import setup

setup()  # Django set up, its objects frozen (config/startup.py)
application = get_wsgi_application()
