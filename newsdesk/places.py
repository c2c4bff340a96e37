"""Where newsdesk keeps its files (the user's config, data and state directories), and what to
say when one cannot be used.

platformdirs finds the directories from $XDG_*_HOME and $HOME. Without either, it would fall
back to the password database's home or to a relative "~" under the current directory; newsdesk
asks instead, because writing a user's feeds.toml somewhere unexpected is worse than stopping.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Literal

from newsdesk.errors import EnvironmentProblem

APP_NAME = "newsdesk"

Kind = Literal["config", "data", "state"]

_ENV: dict[Kind, str] = {"config": "XDG_CONFIG_HOME", "data": "XDG_DATA_HOME", "state": "XDG_STATE_HOME"}
_WHAT: dict[Kind, str] = {"config": "feeds.toml", "data": "the database", "state": "the daemon's lock"}
_OPTION: dict[Kind, str] = {"config": " (or give --config PATH)", "data": " (or give --db PATH)", "state": ""}


def user_dir(kind: Kind) -> Path:
    """newsdesk's directory of this kind for this user; not created."""
    import platformdirs

    env = _ENV[kind]
    if os.name == "posix" and not os.environ.get(env) and not os.environ.get("HOME"):
        raise EnvironmentProblem(
            f"HOME is not set, so newsdesk cannot tell where {_WHAT[kind]} belongs: "
            f"set HOME, or {env} to a directory you can write{_OPTION[kind]}"
        )
    path = Path({"config": platformdirs.user_config_dir, "data": platformdirs.user_data_dir,
                 "state": platformdirs.user_state_dir}[kind](APP_NAME))
    if not path.is_absolute():
        raise EnvironmentProblem(
            f"{env} is {os.environ.get(env)!r}, not an absolute path, so newsdesk cannot tell where "
            f"{_WHAT[kind]} belongs: set {env} to a directory you can write{_OPTION[kind]}"
        )
    return path


def fix_for(kind: Kind) -> str:
    """What to set when a directory of this kind cannot be used."""
    return f"set {_ENV[kind]} to a directory you can write{_OPTION[kind]}"


def make_dir(path: Path, what: str, fix: str) -> None:
    """Create `path` and its parents, or say which directory stands in the way and why.

    `what` names what the directory is for ("the folder for feeds.toml"); `fix` what the user
    can set instead ("set XDG_CONFIG_HOME to ...")."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise EnvironmentProblem(f"cannot create {path} ({what}): it is a file, not a directory; {fix}") from None
    except NotADirectoryError:
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        raise EnvironmentProblem(f"cannot create {path} ({what}): {blocker} is a file, not a directory; {fix}") from None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create {path} ({what}): {_why(exc, path)}; {fix}") from None
    if not os.access(path, os.W_OK):
        raise EnvironmentProblem(f"cannot write in {path} ({what}): no permission; {fix}")


def write_problem(exc: OSError, path: Path) -> str:
    """Why a file could not be created or written at `path`, in words."""
    return _why(exc, path)


def _why(exc: OSError, path: Path) -> str:
    existing = next((p for p in path.parents if p.exists()), None)
    where = f" in {existing}" if existing is not None else ""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"no permission to write{where}"
    if exc.errno == errno.EROFS:
        return f"{existing or path} is on a read-only file system"
    if exc.errno == errno.ENOSPC:
        return f"the disk holding {existing or path} is full"
    if exc.errno == errno.ENOENT:
        return f"{existing or path} cannot hold new directories"
    return exc.strerror or str(exc)


def shown_path(path: Path | str, *, home: bool = True) -> str:
    """A file as a person reads it: absolute, and under the home directory as ~/... (`home`)."""
    absolute = Path(path).expanduser().absolute()
    if home:
        try:
            return "~/" + str(absolute.relative_to(Path.home()))
        except (ValueError, RuntimeError):
            pass
    return str(absolute)


def shown_database(target: str, *, home: bool = False) -> str:
    """A database as a person reads it: a SQLite file as its path, any other URL without its
    password."""
    import re

    if "://" not in target:
        return shown_path(target, home=home)
    if target.startswith("sqlite:///") and target != "sqlite:///:memory:":
        return shown_path(target.removeprefix("sqlite:///").partition("?")[0], home=home)
    return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", target)
