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
# The application is imported once, in the master, before the workers are forked: a
# new worker starts in milliseconds instead of importing Django and Wagtail again
# (a second of CPU), and the workers share those pages of memory. A code change
# then needs a restart (`systemctl restart`), not a HUP.
preload_app = True
# A worker is replaced after about this many requests, so that a leak cannot grow;
# the jitter (±10 %) keeps the workers from being replaced at the same moment. At
# cached speeds (thousands of answers a second) 2,000 meant six replacements every
# ten seconds and a p99 of 1.6 s; this is a replacement every few minutes at most.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10


def pre_fork(server, worker):
    """Nothing the master opened while it imported the application (a database
    connection, a Redis socket) is inherited by a worker, where two processes would
    speak on one socket: each worker opens its own when it first needs one."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    for cache in caches.all(initialized_only=True):
        cache.close()


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
