"""gunicorn's configuration for Escalade's web processes (production layout: see
docs/operations/production.md): `gunicorn -c deploy/gunicorn.conf.py escalade.config.wsgi`.

Its limits sit above the API's, so that Django answers them with a JSON error naming
the reason: a URL over ESCALADE_API_MAX_URL (4,096) is the API's JSON 414, gunicorn's
own 414 comes only past 8,190 characters (its maximum). gunicorn's own error pages
cannot be replaced: they are plain text, for requests Django never sees. The access log
writes the path without its query string (search words may name a patient) and the
request's id."""

import os

bind = os.environ.get("ESCALADE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ESCALADE_WEB_WORKERS", "2"))  # sync workers: measured best
worker_class = "sync"
timeout = int(os.environ.get("ESCALADE_WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # a worker is renewed now and then (memory)
max_requests_jitter = 200

# above the API's own limits (core/api_guard.py), so Django answers them in JSON
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# the TLS proxy in front adds X-Forwarded-For (ESCALADE_BEHIND_PROXY=1)
forwarded_allow_ips = os.environ.get("ESCALADE_PROXY_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("ESCALADE_LOG_LEVEL", "warning").lower()
# %(U)s is the path without the query string: no search words in the access log
access_log_format = '%(t)s %(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
