"""Test helper: headless Chromium driven over the Chrome DevTools protocol (websockets, no network).

``Browser`` starts Debian's ``chromium`` with a fresh profile and ``--remote-debugging-port=0``,
reads the port from ``DevToolsActivePort``, attaches to one page target and records console errors,
uncaught exceptions, log errors and every request URL. ``open(url)`` navigates and waits for the
load event; ``evaluate(js)`` returns a value; ``screenshot(path)`` saves a PNG.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from websockets.sync.client import connect

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--remote-debugging-port=0",
)


def chromium() -> str | None:
    """Return the Chromium executable, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless Chromium with one page, recording errors and requests."""

    def __init__(self, timeout: float = 30.0) -> None:
        exe = chromium()
        assert exe, "chromium is not installed"
        self.profile = Path(tempfile.mkdtemp(prefix="gk-chromium-"))
        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={self.profile}", "--window-size=1280,1000", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.timeout = timeout
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.exists() or len(port_file.read_text().split("\n")) < 2:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().split("\n")[:2]
        # entered as a context manager (websockets warns otherwise); left in close()
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=2**28, open_timeout=timeout).__enter__()
        self.next_id = 0
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _record(self, msg: dict) -> None:
        """Keep what a test asserts on from an event."""
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(json.dumps(params.get("args"), ensure_ascii=False))
        elif method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params.get("exceptionDetails"), ensure_ascii=False))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        self.events.append(msg)

    def call(self, method: str, session: bool = False, **params: object) -> dict:
        """Send a command and wait for its answer (recording events that arrive meanwhile)."""
        self.next_id += 1
        msg: dict = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv(timeout=self.timeout))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._record(reply)
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        """Navigate to ``url`` and wait for its load event."""
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"load of {url}")
            self._record(json.loads(self.ws.recv(timeout=self.timeout)))
        self.evaluate("1")  # let pending console messages arrive

    def evaluate(self, expression: str) -> object:
        """Evaluate JavaScript in the page and return its value."""
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"], ensure_ascii=False))
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """Save a full-page screenshot as PNG."""
        data = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True)[
            "data"
        ]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
