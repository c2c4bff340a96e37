"""One daemon per database: a second `newsdesk daemon` on the same database refuses to start.

Two schedulers refreshing one database would fetch every feed twice and fight over writes.
The lock is an OS file lock (released by the kernel when the process dies, even by SIGKILL,
so a crash never leaves a stale lock), on a file beside a SQLite database, or in the user's
state directory for a database given as a URL.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

from newsdesk import places
from newsdesk.errors import AlreadyRunning, EnvironmentProblem

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]  # None stands for the module Windows lacks


def lock_path(db_url: str) -> Path:
    return _lock_place(db_url)[0]


def _lock_place(db_url: str) -> tuple[Path, str]:
    """Where the lock goes, and what the user can do when it cannot be made there."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db = Path(url.database)
        fix = "newsdesk writes beside the database: move it to a folder you can write, or give --db"
        return db.with_name(db.name + ".daemon.lock"), fix
    digest = hashlib.sha256(db_url.encode()).hexdigest()[:16]
    return places.user_dir("state") / f"daemon-{digest}.lock", places.fix_for("state")


def holder(db_url: str) -> int | None:
    """The pid of the daemon refreshing this database, or None; the daemon is not disturbed.

    The lock file outlives its daemon and a pid can be reused, so a live pid is confirmed by
    asking for the lock itself (shared, at once released): only then could a daemon starting
    at that very moment find it taken.
    """
    path = lock_path(db_url)
    try:
        pid = int(path.read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0 or not _alive(pid):
        return None
    if sys.platform == "win32":  # no flock: a live pid is all there is to go by
        return pid
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return pid
    finally:
        os.close(fd)  # closing drops a lock we got
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


class DaemonLock:
    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.path, self._fix = _lock_place(db_url)
        self._fd: int | None = None

    def acquire(self) -> None:
        fix = self._fix
        places.make_dir(self.path.parent, "the folder for the daemon's lock", fix)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot create the daemon's lock {self.path}: {places.write_problem(exc, self.path)}; {fix}"
            ) from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise AlreadyRunning(
                    f"another newsdesk daemon (pid {holder}) is already refreshing {self.db_url}; "
                    "stop it first, or give this one another --db"
                ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
