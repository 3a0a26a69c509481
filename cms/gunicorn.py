"""gunicorn's configuration: `gunicorn -c cms/gunicorn.py cms.wsgi` (see `make serve`
and docs/deploy.md). Every value can be changed with the environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual (2 × cores) + 1 synchronous workers; each holds one database connection.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (with jitter), so leaks cannot grow.
max_requests = 2000
max_requests_jitter = 200
# The proxy in front terminates TLS and says so in X-Forwarded-Proto / X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# The path without the query string: what people type in forms stays out of the logs.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
# gunicorn 25.1+ opens a control socket for its `gunicornc` tool by default, at one
# path per user (~/.gunicorn/gunicorn.ctl): nothing here uses it, and every other
# gunicorn of the same user on the machine would take it over.
control_socket_disable = True
