"""gunicorn's settings file (docker-compose's web service): a worker that exits is marked dead in
prometheus_client's multiprocess directory, so its gauges stop counting."""


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
