#!/usr/bin/env python3
"""The console in a real browser: headless Chromium, driven through
chromedriver's WebDriver HTTP protocol (standard library only), against a
real ccm-gateway with an http sink whose receiver refuses every event, so
dead letters exist. Signs in with an API key, visits every page, replays a
dead letter and sees a session's state change arrive in the live tail.

  console_browser_test.py --gateway PATH --plugins DIR [--console DIR] [--screenshots DIR]

--screenshots writes docs/images/console-*.png (docs/console.md). Exits 77
(skipped) when Debian's chromium or chromium-driver package is missing.
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SKIPPED = 77
API_KEY = "console-browser-test-key"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHECKS = []


def check(name):
    CHECKS.append(name)
    print(f"ok - {name}", flush=True)


def wait_for(what, condition, timeout=15.0):
    """The condition's first truthy value, polled until the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RefusingReceiver(http.server.BaseHTTPRequestHandler):
    """A CloudEvents receiver that refuses everything (400: permanent)."""

    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        RefusingReceiver.received += 1
        body = b'{"error":"this receiver refuses every event"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {API_KEY}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def created(self, path, body):
        status, answer = self.call("POST", path, body)
        assert status == 201, f"POST {path}: {status} {answer}"
        return answer["id"]


class WebDriver:
    """The few WebDriver commands the test needs (W3C WebDriver, HTTP/JSON)."""

    def __init__(self, port, chromium):
        self.base = f"http://127.0.0.1:{port}"
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1366,768", "--lang=en-GB", "--hide-scrollbars"]}}}
        self.session = self._send("POST", "/session", {"capabilities": capabilities})["sessionId"]

    def _send(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            raise AssertionError(f"WebDriver {method} {path}: {error.read().decode()[:500]}") from None

    def command(self, method, path, body=None):
        return self._send(method, f"/session/{self.session}{path}", body)

    def open(self, url):
        self.command("POST", "/url", {"url": url})

    def script(self, source, *args):
        return self.command("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find(self, css):
        found = self.command("POST", "/elements", {"using": "css selector", "value": css})
        if found and ELEMENT not in found[0]:
            raise AssertionError(f"WebDriver find {css}: {found}")
        return found[0][ELEMENT] if found else None

    def wait(self, css, timeout=15.0):
        return wait_for(css, lambda: self.find(css), timeout)

    def click(self, element):
        self.command("POST", f"/element/{element}/click", {})

    def type(self, element, text):
        self.command("POST", f"/element/{element}/value", {"text": text})

    def text(self, css="main"):
        return self.script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)

    def wait_text(self, needle, css="main", timeout=15.0):
        return wait_for(f"{needle!r} in {css}", lambda: needle in self.text(css), timeout)

    def screenshot(self, directory, name):
        if directory:
            self.script("document.getElementById('status').textContent = '';")  # a passing toast is noise
            with open(os.path.join(directory, f"console-{name}.png"), "wb") as out:
                out.write(base64.b64decode(self.command("GET", "/screenshot")))

    def quit(self):
        try:
            self._send("DELETE", f"/session/{self.session}")
        except Exception:
            pass


def start_gateway(args, work, receiver_port):
    config = os.path.join(work, "gateway.json")
    with open(config, "w") as out:
        json.dump({
            "server": {"host": "127.0.0.1", "port": 0,
                       "auth": {"api_keys": [{"name": "console-test",
                                              "key_sha256": hashlib.sha256(API_KEY.encode()).hexdigest(),
                                              "roles": ["operator"]}]},
                       "console": {"directory": args.console}},
            "plugins": {"directories": [args.plugins]},
            "store": {"sqlite": {"path": os.path.join(work, "gw.db")}},
            "sinks": [{"name": "audit-archive", "plugin": "http",
                       "config": {"url": f"http://127.0.0.1:{receiver_port}/events"},
                       "delivery": {"retry": {"max_attempts": 1}}}],
        }, out)
    log = open(os.path.join(work, "gateway.log"), "w+")
    gateway = subprocess.Popen([args.gateway, "--config", config], stderr=log, stdout=subprocess.DEVNULL)

    def listening():
        log.seek(0)
        match = re.search(r'"message":"listening".*?"port":"(\d+)"', log.read())
        if gateway.poll() is not None:
            log.seek(0)
            raise AssertionError(f"the gateway exited: {log.read()[-2000:]}")
        return match and int(match.group(1))

    return gateway, log, wait_for("the gateway to listen", listening, 60)


def run(args):
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    chromedriver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    if not chromium or not chromedriver:
        print("SKIPPED: the console browser test needs Debian's chromium and chromium-driver packages "
              "(packaging/install-deps.sh installs them)")
        return SKIPPED
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)

    work = tempfile.mkdtemp(prefix="ccm-console-")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RefusingReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    gateway, log, port = start_gateway(args, work, receiver.server_address[1])
    driver_port = free_port()
    driver = subprocess.Popen([chromedriver, f"--port={driver_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    try:
        api = Api(port)
        definition = api.created("/api/v1/definitions", {
            "name": "two-routers",
            "lab_yaml": "lab:\n  title: two routers\nnodes:\n  - id: n0\n    label: r1\n    node_definition: iosv\n"
                        "    tags: [serial:5000, vnc:5900]\n"})
        worker = api.created("/api/v1/workers", {
            "name": "cml-eu-1", "template_name": "cml-large", "public_address": "203.0.113.10",
            "private_address": "10.0.0.10", "port_range_start": 5000, "port_range_end": 5019, "capacity": 8})
        for step in ("provisioning", "running"):
            assert api.call("POST", f"/api/v1/workers/{worker}/{step}")[0] == 200
        scheduled = api.created("/api/v1/sessions", {"definition_id": definition, "owner_id": "student-7"})
        assert api.call("POST", f"/api/v1/sessions/{scheduled}/schedule", {"worker_id": worker})[0] == 200
        session = api.created("/api/v1/sessions", {"definition_id": definition, "owner_id": "student-42"})
        wait_for("dead letters", lambda: api.call("GET", "/api/v1/deadletters")[1]["items"], 20)

        wait_for("chromedriver", lambda: _answers(driver_port), 20)
        browser = WebDriver(driver_port, chromium)
        console = f"http://127.0.0.1:{port}/console/"

        browser.open(console)
        key = browser.wait("#api-key")
        check("the console loads and asks to sign in")
        unlabelled = browser.script(
            "return [...document.querySelectorAll('input, select')].filter(e => e.labels.length === 0).length;")
        assert unlabelled == 0, f"{unlabelled} form fields without a label"
        browser.screenshot(args.screenshots, "sign-in")
        browser.type(key, "not-the-key\n")
        browser.wait_text("Unauthorized")
        check("a wrong API key is refused with the gateway's problem")
        key = browser.wait("#api-key")
        browser.script("arguments[0].value = '';", {ELEMENT: key})
        browser.type(key, API_KEY + "\n")
        browser.wait_text("student-42")
        assert browser.wait_text("pending: 1") and browser.wait_text("scheduled: 1")
        check("signed in with the API key: sessions by state")
        browser.screenshot(args.screenshots, "sessions")

        browser.click(browser.wait("button[aria-pressed][type=button]:nth-child(1)"))  # the "pending" filter
        wait_for("the state filter", lambda: "student-7" not in browser.text() and "student-42" in browser.text())
        check("the state filter shows only pending sessions")

        browser.open(f"{console}#/sessions/{scheduled}")
        browser.wait_text("ccm.lablet.session.scheduled")
        browser.wait_text("serial")
        check("a session's page shows its timeline and ports")
        browser.screenshot(args.screenshots, "session")

        browser.open(f"{console}#/workers")
        browser.wait_text("cml-eu-1")
        browser.wait_text("1 / 8")
        browser.wait_text("2 / 20")
        check("workers show capacity and port use")
        browser.screenshot(args.screenshots, "workers")

        browser.open(f"{console}#/sinks")
        browser.wait_text("audit-archive")
        browser.wait_text("400")
        check("sinks show circuit, lag and the last error")
        browser.screenshot(args.screenshots, "sinks")

        browser.open(f"{console}#/deadletters")
        replay = browser.wait("button[data-replay]")
        browser.screenshot(args.screenshots, "deadletters")
        before = RefusingReceiver.received
        browser.click(replay)
        browser.wait_text("Replayed dead letter", css="#status")
        wait_for("the replayed event to reach the receiver again", lambda: RefusingReceiver.received > before, 20)
        check("a dead letter is replayed from the console")

        browser.open(f"{console}#/events")
        browser.wait_text("Live", css="#stream-state")
        assert api.call("POST", f"/api/v1/sessions/{session}/schedule", {"worker_id": worker})[0] == 200
        browser.wait("tr[data-type='ccm.lablet.session.scheduled']")
        browser.wait_text("pending → scheduled")
        check("a session's state change arrives live in the event tail")
        browser.screenshot(args.screenshots, "events")

        browser.open(f"{console}#/schemas/ccm.lablet.session.scheduled")
        browser.wait_text("allocated_ports")
        check("the schema browser shows an event type's schema")
        browser.screenshot(args.screenshots, "schemas")

        browser.open(f"{console}#/sessions")
        browser.wait_text("student-42")
        focused = browser.script(
            "document.activeElement.blur(); return [...document.querySelectorAll('nav a')].every(a => a.tabIndex >= 0);")
        assert focused, "navigation links are not reachable by keyboard"
        check("navigation is reachable by keyboard")
    except Exception:
        log.seek(0)
        print(log.read()[-3000:], file=sys.stderr)
        raise
    finally:
        if browser:
            browser.quit()
        driver.terminate()
        gateway.terminate()
        gateway.wait(20)
        driver.wait(20)
        receiver.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(CHECKS)} passed, 0 failed")
    return 0


def _answers(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as response:
            return json.loads(response.read())["value"].get("ready", False)
    except Exception:
        return False


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--plugins", required=True)
    parser.add_argument("--console", default=os.path.normpath(os.path.join(here, "..", "..", "console")))
    parser.add_argument("--screenshots", help="write console-*.png here (docs/images)")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
