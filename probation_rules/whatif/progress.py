"""A one-line progress bar for long runs, drawn only on a terminal.

A 100,000-inspection comparison takes about a minute; a person watching a terminal should see it
move, and a pipe, a log file or a test should see nothing at all. So the bar draws only when its
stream is a terminal, redraws at most a few times a second, and erases itself when done.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]

_WIDTH = 30
_EVERY = 0.2
"""Seconds between redraws."""


class Progress:
    """Counts work done out of ``total``; draws on ``stream`` if it is a terminal, else does nothing."""

    def __init__(self, total: int, label: str, stream: TextIO | None):
        self.total = total
        self.label = label
        self.stream = stream if stream is not None and _is_terminal(stream) else None
        self.done = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0

    @property
    def active(self) -> bool:
        return self.stream is not None

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.stream is not None and (now - self.drawn_at >= _EVERY or self.done >= self.total):
            self.drawn_at = now
            self.stream.write("\r" + self.line(now - self.started))
            self.stream.flush()

    def line(self, elapsed: float) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = round(share * _WIDTH)
        bar = "#" * filled + "." * (_WIDTH - filled)
        rest = f", about {elapsed / share - elapsed:.0f}s left" if 0 < share < 1 else ""
        return f"{self.label} [{bar}] {share:4.0%} {self.done:,}/{self.total:,} in {elapsed:.0f}s{rest}"

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self.stream is not None and self.drawn_at:
            self.stream.write("\r" + " " * len(self.line(time.monotonic() - self.started)) + "\r")
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
