"""Alerts: telling the reader that a watched entry appeared, wherever they are looking.

Which stories alert is the store's to decide, in the transaction that stores a story's matches
(`AlertRules` says which entries, from how many mentions, and when the quiet hours are), so a
story alerts once per entry, ever, whichever process stores it, and a cluster of copies alerts
once. Sending is this module's: the process that stored an alert claims it (the store hands
each alert to exactly one claimer) and delivers it here, on a background thread, so a slow
or failing endpoint never delays a refresh:

- the terminal bell (the caller says how to ring it: the UI through Textual, a command on its
  own terminal),
- a desktop notification through `notify-send`, where the system has one (where it has not,
  that is said once and the alert goes on through the other channels),
- a command, which receives one JSON object per alert on its standard input,
- an HTTP POST of the same JSON to a webhook (http and https only), retried with a back-off;
  an ntfy topic (`https://ntfy.sh/topic`, or any host named `ntfy...`) gets ntfy's plain text
  with a title and a link instead.

The UI shows every alert sent (by itself or by a daemon on the same database) as a
notification; that is the UI's, not a channel here.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlsplit

from newsdesk.config import AlertRules
from newsdesk.types import AlertEvent

log = logging.getLogger(__name__)

_COMMAND_TIMEOUT = 30.0
_WEBHOOK_TIMEOUT = 10.0
NO_CHANNEL, NO_CHANNEL_RESULT = "ui", "no channel set: shown where newsdesk is open"
"""The outcome recorded for an alert no channel delivers (no bell to ring, no desktop,
command or webhook): it is shown by the UI alone."""
RETRY_DELAYS = (1.0, 5.0, 30.0)
LONGEST_DELIVERY = timedelta(minutes=5)
"""More than any alert's delivery takes (the command's 30 s, the webhook's four tries of 10 s
and the waits between them): an alert claimed longer ago with no outcome recorded was left
by a process that stopped first."""
"""Seconds before each retry of a failing webhook (so four tries in all)."""


def alert_json(event: AlertEvent) -> dict[str, object]:
    """The JSON object a command and a webhook receive for one alert."""
    return {
        "entity": event.entity,
        "kind": event.kind,
        "story_id": event.story_id,
        "title": event.title,
        "url": event.url,
        "feed": event.feed,
        "published": event.published.isoformat() if event.published else None,
        "snippet": event.snippet,
        "cluster": event.cluster,
        "sources": event.sources,
    }


@dataclass
class Sender:
    """Delivers claimed alerts on background threads and reports each one's outcome.

    `ring` rings the terminal bell (None: no terminal to ring); `record` receives each alert's
    outcome, a channel -> "ok" or the problem in words, when its last channel is done.
    """

    rules: AlertRules
    record: Callable[[AlertEvent, dict[str, str]], None]
    ring: Callable[[], None] | None = None
    retry_delays: Sequence[float] = RETRY_DELAYS
    _pool: ThreadPoolExecutor = field(init=False)
    _pending: set[Future[None]] = field(init=False, default_factory=set)
    _said: set[str] = field(init=False, default_factory=set)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _closed: threading.Event = field(init=False, default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="newsdesk-alerts")

    def send(self, events: Sequence[AlertEvent]) -> None:
        """Deliver these alerts; returns at once."""
        for event in events:
            future = self._pool.submit(self._deliver, event)
            with self._lock:
                self._pending.add(future)
            future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every alert sent so far; True when all are done."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                pending[0].result(timeout=left)
            except Exception:
                pass

    def close(self) -> None:
        """Stop: deliveries under way give up their retries."""
        self._closed.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _deliver(self, event: AlertEvent) -> None:
        outcome: dict[str, str] = {}
        if self.rules.bell and self.ring is not None:
            outcome["bell"] = self._try(self.ring)
        if self.rules.desktop:
            outcome["desktop"] = self._desktop(event)
        if self.rules.command:
            outcome["command"] = self._command(event)
        if self.rules.webhook:
            outcome["webhook"] = self._webhook(event, self.rules.webhook)
        if not outcome:
            # No channel here: the alert is shown by the UIs open on the database (theirs, not
            # a channel). Said, so that `newsdesk alerts` does not list it as sending forever.
            outcome[NO_CHANNEL] = NO_CHANNEL_RESULT
        try:
            self.record(event, outcome)
        except Exception:
            log.exception("recording the outcome of alert %s failed", event.id)

    @staticmethod
    def _try(action: Callable[[], None]) -> str:
        try:
            action()
        except Exception as exc:
            return f"failed: {exc}"
        return "ok"

    def _say_once(self, key: str, message: str) -> None:
        with self._lock:
            if key in self._said:
                return
            self._said.add(key)
        log.warning("%s", message)

    def _desktop(self, event: AlertEvent) -> str:
        program = shutil.which("notify-send")
        if program is None:
            message = "no desktop notifications on this system (notify-send is not installed)"
            self._say_once("desktop", f"alerts: {message}; the other alert channels still work")
            return message
        try:
            done = subprocess.run(
                [program, "--app-name=newsdesk", f"newsdesk: {event.entity}", event.title],
                capture_output=True, text=True, timeout=_COMMAND_TIMEOUT, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"notify-send failed: {exc}"
        return "ok" if done.returncode == 0 else f"notify-send exited with status {done.returncode}: {done.stderr.strip()[:200]}"

    def _command(self, event: AlertEvent) -> str:
        command = list(self.rules.command)
        try:
            done = subprocess.run(
                command, input=json.dumps(alert_json(event), ensure_ascii=False) + "\n",
                capture_output=True, text=True, timeout=_COMMAND_TIMEOUT, check=False,
            )
        except FileNotFoundError:
            return f"command not found: {command[0]}"
        except subprocess.TimeoutExpired:
            return f"command did not finish within {_COMMAND_TIMEOUT:.0f} s"
        except OSError as exc:
            return f"command could not start: {exc.strerror}"
        if done.returncode:
            return f"command exited with status {done.returncode}: {done.stderr.strip()[:200]}"
        return "ok"

    def _webhook(self, event: AlertEvent, url: str) -> str:
        if is_ntfy(url):
            body = f"{event.title}\n{event.snippet}".encode()
            headers = {"Title": _header(f"newsdesk: {event.entity}"), "Tags": "newspaper"}
            if event.url:
                headers["Click"] = _header(event.url)
        else:
            body = json.dumps(alert_json(event), ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
        headers["User-Agent"] = "newsdesk alerts"
        problem = ""
        for attempt in range(len(self.retry_delays) + 1):
            if attempt and self._closed.wait(self.retry_delays[attempt - 1]):
                return f"{problem} (gave up: newsdesk stopped)"
            status, problem = _post(url, body, headers)
            if status is not None and status < 300:
                return "ok" if not attempt else f"ok after {attempt + 1} tries"
            if status is not None and status < 500 and status not in (408, 429):
                break  # the endpoint refuses it: asking again will not help
        return problem


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is answered as it stands: a POST is not re-sent elsewhere."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once: the HTTP status (None when no answer came) and the problem in words."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=_WEBHOOK_TIMEOUT) as answer:
            answer.read(64 * 1024)
            return answer.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"{url} answered HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{url}: {reason}"


def is_ntfy(url: str) -> bool:
    """Whether a webhook URL is an ntfy topic, which takes plain text."""
    host = (urlsplit(url).hostname or "").casefold()
    return host.startswith("ntfy.") or host == "ntfy.sh"


def _header(value: str) -> str:
    # HTTP headers are Latin-1 and one line: a headline with other letters keeps what it can.
    return " ".join(value.split()).encode("latin-1", "replace").decode("latin-1")


class Outbox:
    """A process's alerts: the rules it stores stories under, and its sender. `send_due` after
    each refresh claims what is due (this process's alerts, quiet-hours alerts whose time has
    come, and any a process that stopped early left behind) and sends it in the background."""

    def __init__(self, store: AlertStore, rules: AlertRules, ring: Callable[[], None] | None = None) -> None:
        self._store = store
        self.sender = Sender(rules, self._record, ring)
        store.set_alert_rules(rules)

    def reconfigure(self, rules: AlertRules) -> None:
        """feeds.toml's [alerts] changed: new rules for stories stored from now on."""
        self._store.set_alert_rules(rules)
        self.sender.rules = rules

    def send_due(self) -> list[AlertEvent]:
        """Claim and send the alerts that are due (blocking on the database only)."""
        if not self.sender.rules.enabled:
            return []
        events = self._store.claim_alerts()
        self.sender.send(events)
        return events

    def _record(self, event: AlertEvent, outcome: dict[str, str]) -> None:
        self._store.set_alert_outcome(event.id, outcome)

    def close(self, wait: float = 0.0) -> bool:
        """Stop sending, after waiting up to `wait` seconds for deliveries under way."""
        done = self.sender.wait(wait) if wait else False
        self.sender.close()
        return done


class AlertStore(Protocol):
    """What an Outbox needs of the store."""

    def set_alert_rules(self, rules: AlertRules) -> None: ...
    def claim_alerts(self) -> list[AlertEvent]: ...
    def set_alert_outcome(self, alert_id: int, outcome: dict[str, str]) -> None: ...


def terminal_bell() -> Callable[[], None] | None:
    """A bell for a command's own terminal (standard error), or None when it has none."""
    import sys

    if not sys.stderr.isatty():
        return None

    def ring() -> None:
        sys.stderr.write("\a")
        sys.stderr.flush()

    return ring
