"""The quick-start's process supervisor: the web server and a Celery worker with embedded beat.

`make run` ends here. Ctrl-C (or SIGTERM) stops both children and waits for them.
"""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

HOST = os.environ.get("MICROMOMENTS_HOST", "127.0.0.1")
PORT = os.environ.get("MICROMOMENTS_PORT", "8000")


def main() -> int:
    venv_bin = Path(sys.executable).parent
    var = Path(os.environ.get("MICROMOMENTS_VAR_DIR", "var"))
    var.mkdir(exist_ok=True)
    broker = (
        "Redis at REDIS_URL"
        if os.environ.get("REDIS_URL")
        else f"the filesystem broker under {var}/broker"
    )
    print(f"Micromoments on http://{HOST}:{PORT}/  (admin: /cms/, API docs: /api/v1/docs)")
    print(f"Celery worker with embedded beat on {broker}. Ctrl-C stops everything.")
    children = [
        subprocess.Popen(
            [
                str(venv_bin / "celery"),
                "-A",
                "backend",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=2",
                f"--schedule={var / 'celerybeat-schedule'}",
            ]
        ),
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"]
        ),
    ]

    def stop(signum=None, frame=None):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        # Whichever child ends first ends the quick-start: a server without its worker is half a product.
        while all(child.poll() is None for child in children):
            with contextlib.suppress(subprocess.TimeoutExpired):
                children[0].wait(timeout=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
