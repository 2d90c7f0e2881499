"""A minimal W3C WebDriver client over loopback HTTP (stdlib only) for ChromeDriver driving
Debian's headless Chromium. Only what the report test needs."""
import base64
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# --remote-debugging-pipe: ChromeDriver talks to Chromium over a pipe instead of a DevTools port
# on "localhost", which a bare chroot without /etc/hosts cannot resolve for its WebSocket
# ("unable to connect to renderer").
CHROMIUM_FLAGS = [
    "--remote-debugging-pipe",
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriverError(RuntimeError):
    pass


class Browser:
    """Starts chromedriver on a loopback port and one Chromium session; close() ends both."""

    def __init__(self, chromium="/usr/bin/chromium", chromedriver="/usr/bin/chromedriver",
                 width=1400, height=1000):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="rankme-chromium-")
        self.log = open(os.path.join(self.profile, "chromedriver.log"), "w")
        self.driver = subprocess.Popen(
            [chromedriver, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 20
        while True:
            try:
                self._call("GET", "/status")
                break
            except (OSError, WebDriverError):
                if time.time() > deadline or self.driver.poll() is not None:
                    self.close()
                    raise WebDriverError("chromedriver did not start")
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": CHROMIUM_FLAGS + [f"--user-data-dir={self.profile}/profile",
                                          f"--window-size={width},{height}"]},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}}
        self.session = None
        try:
            self.session = self._call("POST", "/session", caps)["sessionId"]
        except Exception:
            self.close()
            raise

    def _call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            payload = json.loads(error.read() or b"{}")
            raise WebDriverError(f"{method} {path}: {payload.get('value', payload)}")
        return payload.get("value", payload)

    def _session(self, method, path, body=None, timeout=60):
        return self._call(method, f"/session/{self.session}{path}", body, timeout)

    def get(self, url):
        self._session("POST", "/url", {"url": url})

    def run(self, script, *args):
        """Runs `script` (a function body) in the page; returns its JSON-able result."""
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def click(self, css):
        element = self._session("POST", "/element", {"using": "css selector", "value": css})
        element_id = next(iter(element.values()))
        self._session("POST", f"/element/{element_id}/click", {})

    def console(self):
        """Browser console entries since the last call: [{level, message, source}]."""
        return self._session("POST", "/se/log", {"type": "browser"})

    def set_window(self, width, height):
        self._session("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        png = base64.b64decode(self._session("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)

    def close(self):
        if getattr(self, "session", None):
            try:
                self._session("DELETE", "", timeout=20)
            except Exception:
                pass
            self.session = None
        if self.driver.poll() is None:
            self.driver.terminate()
            try:
                self.driver.wait(10)
            except subprocess.TimeoutExpired:
                self.driver.kill()
        self.log.close()
