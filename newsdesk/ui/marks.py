"""A story's read and starred marks as the person last asked, stored in the order asked.

A mark is shown at once and stored on a worker, which may wait (the Store still opening,
another process holding the write lock). `s` pressed twice meanwhile must star and then
unstar, not star twice: the second press reads the row the first one changed, and the
worker that stores a story's marks stores the latest wish for every mark asked since, one
write at a time (a later worker finds nothing left to store).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from newsdesk.types import StoryItem


@dataclass(frozen=True, slots=True)
class Wish:
    """How a story should be stored, and which of its marks were asked for."""

    story: StoryItem
    read: bool
    starred: bool


class Marks:
    """The marks asked for and not stored yet, shared by the screens."""

    def __init__(self) -> None:
        self._wanted: dict[int, Wish] = {}
        self._lock = threading.Lock()
        self._writing = threading.Lock()

    def want(self, story: StoryItem, *, read: bool = False, starred: bool = False) -> None:
        """On the UI's thread: the story as it should now be stored; `read`, `starred`: the
        marks this asks for (with those asked before and not stored yet)."""
        with self._lock:
            before = self._wanted.get(story.id)
            self._wanted[story.id] = Wish(
                story, read or (before is not None and before.read), starred or (before is not None and before.starred)
            )

    @contextmanager
    def storing(self, story_id: int) -> Iterator[Wish | None]:
        """On a worker: what is left to store of the story's marks (None: an earlier worker
        stored them), while no other mark is being stored."""
        with self._writing:
            with self._lock:
                wish = self._wanted.pop(story_id, None)
            yield wish
