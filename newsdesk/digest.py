"""A Markdown digest of the watchlist (`newsdesk digest`): for each entry, one line per event
(cluster) with the feeds that reported it, newest first; entries with a spike on top. Pure:
the store's mentions and the spikes in, text out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsdesk.exports import markdown, markdown_link
from newsdesk.trends import spike_words
from newsdesk.types import Mention, Spike


@dataclass
class _Event:
    """One cluster as one entry's section lists it: its stories naming the entry, earliest first."""

    stories: list[Mention] = field(default_factory=list)

    @property
    def time(self) -> datetime:
        return self.stories[0].time


@dataclass
class _Section:
    entity: str
    kind: str
    events: dict[int, _Event] = field(default_factory=dict)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def digest(mentions: Iterable[Mention], since: datetime, until: datetime, spikes: Mapping[str, Spike] | None = None) -> str:
    """The digest of these mentions (stories naming entries from `since` to `until`), with
    each entry's spike (by its name) marked and put first: by ratio, then by number of events,
    then by name. An event's line is its earliest story's time (UTC) and headline, then every
    feed that reported it, each linked to its story (when its address is http or https)."""
    spikes = spikes or {}
    sections: dict[str, _Section] = {}
    for m in sorted(mentions, key=lambda m: (m.time, m.story_id)):
        section = sections.setdefault(m.hit.entity, _Section(m.hit.entity, m.hit.kind))
        section.events.setdefault(m.cluster, _Event()).stories.append(m)
    events = sum(len(s.events) for s in sections.values())
    lines = [
        "# newsdesk digest",
        "",
        f"From {_stamp(since)} to {_stamp(until)} UTC: {events} event{'s' if events != 1 else ''} "
        f"naming {len(sections)} watchlist entr{'ies' if len(sections) != 1 else 'y'}.",
    ]

    def order(s: _Section) -> tuple[float, int, str]:
        hit = spikes.get(s.entity)
        return (-(hit.ratio if hit else 0.0), -len(s.events), s.entity.casefold())

    for section in sorted(sections.values(), key=order):
        hit = spikes.get(section.entity)
        mark = f" {spike_words(hit)} ({hit.count} events on {hit.day.isoformat()}, usually {hit.baseline:.1f})" if hit else ""
        count = len(section.events)
        lines += ["", f"## {markdown(section.entity)} ({section.kind}, {count} event{'s' if count != 1 else ''}){mark}", ""]
        for event in sorted(section.events.values(), key=lambda e: (e.time, e.stories[0].story_id), reverse=True):
            first = event.stories[0]
            feeds: dict[str, Mention] = {}
            for story in event.stories:
                feeds.setdefault(story.feed, story)
            sources = " · ".join(markdown_link(feed, story.url) for feed, story in feeds.items())
            lines.append(f"- {_stamp(first.time)} {markdown(first.title)} — {sources}")
    return "\n".join(lines) + "\n"
