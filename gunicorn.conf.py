"""gunicorn settings (read by gunicorn from the working directory: `gunicorn wsgi:app`).

Workers and threads come from the environment. The defaults suit SQLite (`make run`): one
process whose threads share the database's single writer. On PostgreSQL raise WEB_WORKERS
(e.g. 2 × cores). The bind address is given on the command line (-b HOST:PORT).
"""

import gc
import os
import signal

from gunicorn.http import wsgi as _gunicorn_wsgi

workers = int(os.environ.get("WEB_WORKERS", "1"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))  # PDF rendering can take a few seconds
accesslog = "-"
# no control socket ($HOME/.gunicorn/gunicorn.ctl): we do not use it, and two servers on one
# host would share its path
control_socket_disable = True

# The app trusts X-Forwarded-* only through werkzeug's ProxyFix (PROXY_FIX_X_FOR); gunicorn's
# own reading of X-Forwarded-Proto from 127.0.0.1 would be a second, unconfigured door.
forwarded_allow_ips = "127.0.0.1"
secure_scheme_headers: dict[str, str] = {}

# gunicorn always sends "Server: gunicorn" (the app sends none): this one neutral word is all a
# client learns instead (no product, no versions).
_gunicorn_wsgi.SERVER = "eproc"


def post_worker_init(worker):
    """Ctrl-C reaches the whole process group: a worker interrupted by it while the master
    tells it to quit can hang until graceful_timeout. Workers leave SIGINT to the master,
    which stops them (SIGQUIT) right away.

    The app as loaded (modules, workflows, templates: some 200,000 objects that live as long
    as the worker) is set aside from the garbage collector: a full collection walked them
    all, 100-180 ms in whichever request it fell, one in ten on a busy list page."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
