"""gunicorn settings for one madoguchi app server (example; see docs/operations.md).

    gunicorn -c /etc/madoguchi/gunicorn.conf.py madoguchi.wsgi:application

Each app server is stateless (sessions, cache, queue, files and data live in PostgreSQL,
Redis and the S3-compatible storage), so run as many as the load needs behind the proxy.
"""

import multiprocessing
import os

# nginx on the same host talks to gunicorn over this socket; for a proxy on another
# host, bind to the private address instead (e.g. "10.0.1.11:8000").
bind = os.environ.get("GUNICORN_BIND", "unix:/run/madoguchi/gunicorn.sock")

# Threads overlap the waits on the database, Redis and S3; processes use the CPUs.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# A request that takes longer is stuck: the worker is replaced (the proxy answers 504).
timeout = 60
graceful_timeout = 30
keepalive = 5

# Replace workers now and then, so that no slow leak grows without bound.
max_requests = 2000
max_requests_jitter = 200

# Only the proxy may tell gunicorn that the original request was HTTPS. Django reads
# X-Forwarded-Proto itself (BEHIND_PROXY=1); this is for gunicorn's own wsgi.url_scheme.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# madoguchi writes its own structured access records (logger madoguchi.access, with the
# request id, municipality and user); gunicorn's access log would only repeat them.
accesslog = None
errorlog = "-"
loglevel = "info"

# Load the application before forking: workers share its memory, and a broken release
# fails at start rather than in every worker.
preload_app = True

# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm"
