"""How every Escalade process starts Django: `escalade` commands (the service, workers,
collectors), gunicorn (config/wsgi.py) and ASGI servers (config/asgi.py).

Setting up the settings, the apps and their models makes some 250,000 objects that live
as long as the process. With the garbage collector on, it walks them again and again as
they are made, and every later full collection walks them all again. So the collector is
off while Django sets up; what was made is then frozen (gc.freeze(): left out of every
later collection, which stays cheap) and the collector is on again for the rest of the
process. `escalade check` starts in 1.2 s instead of 2.0 s (docs/benchmarks.md); the
garbage frozen with the rest is small (a collection just before finds some 5,000
objects)."""

import gc
import os

import django


def setup() -> None:
    """django.setup() with the collector off, then what it made frozen."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escalade.config.settings")
    gc.disable()
    try:
        django.setup()
    finally:
        gc.freeze()
        gc.enable()
