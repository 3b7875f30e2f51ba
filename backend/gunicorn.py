"""gunicorn's settings file (docker-compose's web service).

The access log names the path, never the query string: a password link carries its one-time token
there (/set-password/?uid=…&token=…), and logs hold no secrets (backend.logs). A worker that exits
is marked dead in prometheus_client's multiprocess directory, so its gauges stop counting.
"""

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
