"""The Celery app: configuration from Django settings (CELERY_ namespace), tasks from each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("micromoments")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# backend is the project, not an installed app: name its task module for the worker.
app.conf.imports = ("backend.tasks",)


def _bind_task_ids() -> None:
    # Each task's log lines carry its id and name (backend.logs).
    from celery.signals import task_postrun, task_prerun

    from backend.logs import on_task_postrun, on_task_prerun

    task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="backend.logs.task_prerun")
    task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="backend.logs.task_postrun")


_bind_task_ids()


def _export_worker_metrics() -> None:
    # A worker's own counters (FCM latency) for Prometheus, when
    # WORKER_METRICS_PORT is set: the main process serves what all its children counted
    # (prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR). Internal: no auth, so
    # the port is for the private network only (compose does not publish it).
    from celery.signals import worker_init, worker_process_shutdown

    def serve(**kwargs) -> None:
        port = os.environ.get("WORKER_METRICS_PORT")
        if not port:
            return
        from prometheus_client import CollectorRegistry, multiprocess, start_http_server

        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)
            start_http_server(int(port), registry=registry)
        else:  # one process (a solo pool): its own registry
            start_http_server(int(port))

    def mark_dead(pid=None, **kwargs) -> None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(pid or os.getpid())

    worker_init.connect(serve, weak=False, dispatch_uid="backend.worker_metrics")
    worker_process_shutdown.connect(mark_dead, weak=False, dispatch_uid="backend.worker_dead")


_export_worker_metrics()
