"""ASGI entry point."""

from django.core.asgi import get_asgi_application

from .startup import setup

setup()  # Django set up, its objects frozen (config/startup.py)
application = get_asgi_application()
