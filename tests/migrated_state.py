"""What a freshly migrated database depends on, and a migrated SQLite file kept between runs.

The PostgreSQL test databases are copied from a migrated template (tests/conftest.py); the SQLite
tests that only need a migrated file (not a run of `migrate` itself) copy one the same way. The
quick-start test migrates its own fresh file, as `make run` does, and leaves a copy for them.
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Outside the checkout, as the PostgreSQL templates are: a fresh clone on the same machine finds it.
CACHE = Path(tempfile.gettempdir()) / "micromoments-tests"
# What the apps' post_migrate handlers write into a migrated database.
POST_MIGRATE = ("cms/roles.py", "learning/people/roles.py", "cms/versions.py", "learning/cached.py")


def migrated_state_key() -> str:
    """Our migrations, what runs after them (the groups and the version triggers), the locked
    packages (theirs) and the settings."""
    digest = hashlib.sha256()
    paths = [
        *sorted(REPO.glob("*/migrations/*.py")),
        *(REPO / path for path in POST_MIGRATE),
        REPO / "uv.lock",
        REPO / "backend/settings.py",
    ]
    for path in paths:
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cached() -> Path:
    return CACHE / f"sqlite-{migrated_state_key()}.sqlite3"


def copy_migrated_sqlite(to: Path) -> bool:
    """Copy a migrated SQLite file of this state to `to`; False when none is kept yet."""
    cached = _cached()
    if not cached.exists():
        return False
    shutil.copyfile(cached, to)
    return True


def keep_migrated_sqlite(database: Path) -> None:
    """Keep a copy of this freshly migrated file (atomically: a reader never sees half of it)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = CACHE / f".{os.getpid()}-{_cached().name}"
    shutil.copyfile(database, partial)
    os.replace(partial, _cached())
