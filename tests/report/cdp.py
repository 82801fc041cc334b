"""A small Chrome DevTools Protocol client for the browser tests: it needs only the Chromium binary.

Chromium is started headless with a debugging port of its own choosing (``--remote-debugging-port=0``); the
port is read from ``<user-data-dir>/DevToolsActivePort``, and the page target is driven over its websocket
(``websocket-client``). Every wait is bounded, and :meth:`Chromium.close` always ends the browser and every
process it started (they share a process group of their own)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websocket

BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does)"
)
# every name resolves nowhere and every connection goes to a closed port: nothing can be fetched
NETWORK_BLOCKED = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)
QUIET = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)


class CDPError(RuntimeError):
    """The browser answered a command with an error, a script threw, or it did not start."""


class Chromium:
    """One headless Chromium and its first page, with the network blocked and emulated offline.

    ``events`` holds every event the page sent since the last :meth:`navigate`: the tests read the requests
    it made (``Network.requestWillBeSent``) and what it reported as an error from it."""

    def __init__(self, binary: str, width: int = 1280, height: int = 900, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        self._profile = tempfile.mkdtemp(prefix="signalscreen-chromium-")
        command = [binary, *QUIET, *NETWORK_BLOCKED, f"--window-size={width},{height}",
                   "--remote-debugging-port=0", f"--user-data-dir={self._profile}", "about:blank"]  # fmt: skip
        # a session of its own, so close() can end the renderer and helper processes with the browser
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        self._socket: websocket.WebSocket | None = None
        try:
            port = self._debugging_port()
            self._socket = websocket.create_connection(
                self._page_socket_url(port), timeout=timeout, suppress_origin=True
            )
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(f"{domain}.enable")
            self.send("Network.emulateNetworkConditions",
                      offline=True, latency=0, downloadThroughput=0, uploadThroughput=0)  # fmt: skip
            self.resize(width, height)
        except BaseException:
            self.close()
            raise

    def _debugging_port(self) -> int:
        """The port Chromium chose, from the file it writes once it listens on it."""
        active = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CDPError(f"Chromium exited with status {self.process.returncode} before it listened")
            lines = active.read_text().splitlines() if active.exists() else []
            if lines and lines[0].isdigit():
                return int(lines[0])
            time.sleep(0.05)
        raise CDPError(f"Chromium did not write {active} within {self.timeout:.0f}s")

    def _page_socket_url(self, port: int) -> str:
        """The websocket of the first page target (the about:blank Chromium opened)."""
        no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the test's env may set one
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            with no_proxy.open(f"http://127.0.0.1:{port}/json/list", timeout=self.timeout) as answer:
                pages = [t for t in json.load(answer) if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.05)
        raise CDPError(f"Chromium opened no page within {self.timeout:.0f}s")

    def _receive(self, deadline: float) -> dict[str, Any]:
        assert self._socket is not None
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("Chromium did not answer in time")
        self._socket.settimeout(left)
        try:
            message = json.loads(self._socket.recv())
        except websocket.WebSocketTimeoutException as error:
            raise TimeoutError("Chromium did not answer in time") from error
        if "method" in message:
            self.events.append(message)
        return message

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait (bounded) for its answer; events that arrive meanwhile are kept."""
        assert self._socket is not None, "the browser is closed"
        self._next_id += 1
        self._socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise CDPError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})

    def wait_for(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        """The first event called ``method`` since the last navigation, waiting for it at most ``timeout``."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event["params"]
            seen = len(self.events)
            self._receive(deadline)

    def navigate(self, url: str) -> None:
        """Open ``url`` and wait until its load event fired (images included), with fresh events."""
        self.events.clear()
        answer = self.send("Page.navigate", url=url)
        if answer.get("errorText"):
            raise CDPError(f"could not open {url}: {answer['errorText']}")
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited); a thrown error raises."""
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            raise CDPError(f"{expression!r} threw: {details.get('exception', {}).get('description', details)}")
        return answer["result"].get("value")

    def resize(self, width: int, height: int) -> None:
        """Lay the page out in a ``width`` x ``height`` CSS-pixel viewport, at one device pixel per CSS pixel."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)  # fmt: skip
        self.next_frame()

    def next_frame(self) -> None:
        """Wait until the page has drawn a frame since the last change."""
        self.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def screenshot(self) -> bytes:
        return base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])

    def pdf(self) -> bytes:
        return base64.b64decode(self.send("Page.printToPDF")["data"])

    def requests(self) -> list[str]:
        """Every URL the page asked for since the last navigation."""
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def errors(self) -> list[str]:
        """Every error the page reported since the last navigation: console.error, logged errors (a failed
        load among them) and uncaught exceptions."""
        found = []
        for event in self.events:
            method, params = event["method"], event["params"]
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"] + " " + params["entry"].get("url", ""))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description", details["text"]))
        return found

    def close(self) -> None:
        """End the browser and every process it started, whatever state it is in, and remove its profile."""
        if self._socket is not None:
            # a dead browser's socket may fail to close; the kill below follows either way
            with contextlib.suppress(Exception):
                self._socket.close(timeout=1)
            self._socket = None
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        self._signal_group(signal.SIGKILL)  # helpers that outlived the browser
        if self.process.poll() is None:
            self.process.wait(timeout=5)
        deadline = time.monotonic() + 5
        while self.living_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self._profile, ignore_errors=True)

    def living_processes(self) -> list[int]:
        """The processes of the browser's group that still run (zombies, dead but not yet reaped by init,
        do not count)."""
        living = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # the command name, in parentheses, may hold spaces: the fields that follow it are fixed
                state, _parent, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            except OSError:
                continue  # it ended while we looked
            if int(group) == self.process.pid and state != "Z":
                living.append(int(stat.parent.name))
        return living

    def _signal_group(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)  # the group this Popen started: Chromium and its helpers only
