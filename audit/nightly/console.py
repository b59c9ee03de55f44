"""Progress of long steps on a terminal: one status line per step, redrawn every second.

When the stream is not a terminal (the scheduler under systemd, output piped to a file) nothing is
drawn: the steps' plain lines go to the log file instead (audit/logs.py).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from audit.logs import safe


class Console:
    """A status line for the running step: its name, the time it has taken and its latest news."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._title = ""
        self._latest = ""
        self._started = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def tell(self, message: str) -> None:
        """Show ``message`` as the step's latest news."""
        self._latest = message
        self._draw()

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """Show the status line of step ``title`` while the block runs (redrawn every second)."""
        if not self.enabled:
            yield
            return
        self._title, self._latest, self._started = title, "", time.monotonic()
        self._stop.clear()
        ticker = threading.Thread(target=self._tick, name="console", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            self._stop.set()
            ticker.join()
            with self._lock:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def _tick(self) -> None:
        """Redraw once a second until the step ends."""
        while not self._stop.is_set():
            self._draw()
            self._stop.wait(1.0)

    def _draw(self) -> None:
        """Write the status line over the previous one, cut to the terminal's width."""
        if not self.enabled or not self._title:
            return
        seconds = int(time.monotonic() - self._started)
        line = f"{self._title}：已用 {seconds} 秒" + (f" · {safe(self._latest)}" if self._latest else "")
        width = shutil.get_terminal_size((100, 20)).columns
        with self._lock:
            self.stream.write("\r\x1b[K" + _cut(line, width - 1))
            self.stream.flush()


def _cut(text: str, width: int) -> str:
    """Return ``text`` cut to ``width`` terminal columns (a CJK character takes two)."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0x2E80 else 1
        if used > width:
            return text[:i]
    return text
