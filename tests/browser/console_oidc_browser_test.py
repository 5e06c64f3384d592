#!/usr/bin/env python3
"""The console's OIDC sign-in (authorization code with PKCE) in a real
browser: headless Chromium against a real ccm-gateway whose server.auth.oidc
names a fake authorization server on 127.0.0.1 that checks the wire as
RFC 6749 4.1, RFC 7636 (S256 only) and OpenID Connect Discovery do, answers
CORS for the gateway's origin only (as Keycloak does for a client's web
origins) and signs its access tokens RS256 with the openssl CLI.

  console_oidc_browser_test.py --gateway PATH --plugins DIR [--console DIR]

Exits 77 (skipped) when Debian's chromium or chromium-driver package is
missing. Standard library only (plus the openssl command).
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_browser_test import SKIPPED, WebDriver, _answers, free_port, wait_for  # noqa: E402

API_KEY = "console-oidc-test-key"
CLIENT_ID = "ccm-console"
AUDIENCE = "ccm-gateway"
REALM_PATH = "/realms/labs"
CHECKS = []
UNRESERVED = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 4.1
CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")  # BASE64URL of 32 bytes, no padding


def check(name):
    CHECKS.append(name)
    print(f"ok - {name}", flush=True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def s256(verifier):
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


class RsaKey:
    """An RSA key made and used by the openssl CLI (Python's stdlib cannot sign)."""

    def __init__(self, work):
        self.path = os.path.join(work, "idp-key.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", self.path], check=True, capture_output=True)
        modulus = subprocess.run(["openssl", "rsa", "-in", self.path, "-noout", "-modulus"], check=True,
                                 capture_output=True, text=True).stdout.strip().split("=", 1)[1]
        self.kid = "fake-idp-" + secrets.token_hex(4)
        self.jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                    "n": b64url(bytes.fromhex(modulus)), "e": b64url((65537).to_bytes(3, "big"))}

    def sign(self, claims):
        header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": self.kid}).encode())
        payload = b64url(json.dumps(claims).encode())
        signing_input = f"{header}.{payload}"
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.path], input=signing_input.encode(),
                                   check=True, capture_output=True).stdout
        return f"{signing_input}.{b64url(signature)}"


class FakeIdp:
    """An OIDC authorization server that auto-approves: one public client
    (CLIENT_ID), one redirect URI and web origin, PKCE S256 required."""

    def __init__(self, work):
        self.key = RsaKey(work)
        self.lock = threading.Lock()
        self.codes = {}  # code -> {client_id, redirect_uri, challenge, expires, used}
        self.redirect_uri = None  # set once the gateway's port is known
        self.web_origin = None
        self.deny_next = False
        self.authorizations = []  # the query of each authorization request
        self.token_requests = []  # {form, origin, outcome, verifier_matched}
        self.preflights = []
        self.discovery_gets = 0
        self.jwks_gets = 0
        self.issued = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}{REALM_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def discovery(self):
        endpoints = f"{self.issuer}/protocol/openid-connect"
        return {"issuer": self.issuer, "authorization_endpoint": f"{endpoints}/auth",
                "token_endpoint": f"{endpoints}/token", "jwks_uri": f"{endpoints}/certs",
                "response_types_supported": ["code"], "grant_types_supported": ["authorization_code"],
                "code_challenge_methods_supported": ["S256"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["none"], "scopes_supported": ["openid"]}

    # RFC 6749 4.1.1 and 4.1.2, RFC 7636 4.3: the answer is a redirect, or a
    # page of its own when the client or redirect URI is not the registered one.
    def authorize(self, query):
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        self.authorizations.append(params)
        if any(len(values) > 1 for values in params.values()):
            return 400, "a parameter is repeated (RFC 6749 3.1)", None
        one = {name: values[0] for name, values in params.items()}
        if one.get("client_id") != CLIENT_ID:
            return 400, f"unknown client_id {one.get('client_id')!r}", None
        if one.get("redirect_uri") != self.redirect_uri:
            return 400, f"redirect_uri {one.get('redirect_uri')!r} is not the registered {self.redirect_uri!r}", None

        def back(**answer):
            if "state" in one:
                answer["state"] = one["state"]
            answer["iss"] = self.issuer  # RFC 9207, as Keycloak sends it
            return 302, None, self.redirect_uri + "?" + urllib.parse.urlencode(answer)

        if one.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if not one.get("state"):
            return back(error="invalid_request", error_description="state is required")
        if one.get("code_challenge_method") != "S256":
            return back(error="invalid_request", error_description="code_challenge_method must be S256")
        if not CHALLENGE.match(one.get("code_challenge", "")):
            return back(error="invalid_request", error_description="code_challenge is not BASE64URL(SHA256(...))")
        if "openid" not in one.get("scope", "").split():
            return back(error="invalid_scope", error_description="scope must include openid")
        with self.lock:
            if self.deny_next:
                self.deny_next = False
                return back(error="access_denied", error_description="the user declined")
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"client_id": one["client_id"], "redirect_uri": one["redirect_uri"],
                                "challenge": one["code_challenge"], "expires": time.time() + 60, "used": False}
        return back(code=code)

    # RFC 6749 4.1.3 and 5, RFC 7636 4.5 and 4.6. A public client: no
    # client authentication, client_id in the body.
    def token(self, content_type, body, origin):
        record = {"origin": origin, "form": None, "outcome": None, "verifier_matched": False}
        self.token_requests.append(record)

        def refuse(error, description, status=400):
            record["outcome"] = error
            return status, {"error": error, "error_description": description}

        if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            return refuse("invalid_request", f"Content-Type {content_type!r} is not a form")
        params = urllib.parse.parse_qs(body, keep_blank_values=True)
        record["form"] = params
        if any(len(values) > 1 for values in params.values()):
            return refuse("invalid_request", "a parameter is repeated (RFC 6749 3.2)")
        form = {name: values[0] for name, values in params.items()}
        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type", f"grant_type {form.get('grant_type')!r}")
        if form.get("client_id") != CLIENT_ID:
            return refuse("invalid_client", f"unknown client_id {form.get('client_id')!r}", 401)
        with self.lock:
            grant = self.codes.get(form.get("code", ""))
            if grant is None:
                return refuse("invalid_grant", "unknown code")
            if grant["used"]:
                return refuse("invalid_grant", "code already used")
            grant["used"] = True  # single use, whatever happens next (RFC 6749 4.1.2)
        if time.time() > grant["expires"]:
            return refuse("invalid_grant", "code expired")
        if grant["client_id"] != form["client_id"]:
            return refuse("invalid_grant", "code was issued to another client")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return refuse("invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = form.get("code_verifier", "")
        if not UNRESERVED.match(verifier):
            return refuse("invalid_grant", "code_verifier is not 43 to 128 unreserved characters")
        if s256(verifier) != grant["challenge"]:
            return refuse("invalid_grant", "PKCE verification failed: BASE64URL(SHA256(code_verifier)) != code_challenge")
        record["verifier_matched"] = True
        record["outcome"] = "issued"
        now = int(time.time())
        access_token = self.key.sign({
            "iss": self.issuer, "aud": [AUDIENCE, "account"], "azp": CLIENT_ID, "sub": "3c9e7d1a-alice",
            "preferred_username": "alice", "iat": now, "exp": now + 300, "scope": "openid profile",
            "realm_access": {"roles": ["operator", "offline_access"]}})
        self.issued.append(access_token)
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "scope": "openid profile"}

    def _handler(self):
        idp = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _cors(self, any_origin):
                origin = self.headers.get("Origin")
                # Keycloak: the discovery document and keys for any origin;
                # the token endpoint only for the client's web origins.
                if origin and (any_origin or origin == idp.web_origin):
                    self.send_header("Access-Control-Allow-Origin", origin)
                    self.send_header("Access-Control-Allow-Credentials", "true")
                    self.send_header("Vary", "Origin")

            def _send(self, status, body, content_type="application/json", any_origin=True, extra=()):
                data = body if isinstance(body, bytes) else (
                    json.dumps(body) if content_type == "application/json" else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra:
                    self.send_header(name, value)
                self._cors(any_origin)
                self.end_headers()
                self.wfile.write(data)

            def do_OPTIONS(self):
                path = urllib.parse.urlsplit(self.path).path
                idp.preflights.append((path, self.headers.get("Origin"), self.headers.get("Access-Control-Request-Method")))
                self.send_response(200)
                self._cors(not path.endswith("/token"))
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS" if path.endswith("/token") else "GET, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Origin, Accept, X-Requested-With, Content-Type, "
                                 "Access-Control-Request-Method, Access-Control-Request-Headers, Authorization")
                self.send_header("Access-Control-Max-Age", "3600")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == f"{REALM_PATH}/.well-known/openid-configuration":
                    idp.discovery_gets += 1
                    return self._send(200, idp.discovery())
                if url.path == f"{REALM_PATH}/protocol/openid-connect/certs":
                    idp.jwks_gets += 1
                    return self._send(200, {"keys": [idp.key.jwk]})
                if url.path == f"{REALM_PATH}/protocol/openid-connect/auth":
                    status, page, location = idp.authorize(url.query)
                    if location:
                        return self._send(status, b"", "text/plain", extra=[("Location", location)])
                    return self._send(status, page, "text/plain")
                self._send(404, {"error": "not_found"})

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                if url.path != f"{REALM_PATH}/protocol/openid-connect/token":
                    return self._send(404, {"error": "not_found"})
                status, answer = idp.token(self.headers.get("Content-Type", ""), body, self.headers.get("Origin"))
                self._send(status, answer, any_origin=False, extra=[("Cache-Control", "no-store"), ("Pragma", "no-cache")])

            def log_message(self, *args):
                pass

        return Handler


def http_call(method, url, body=None, headers=None, follow=True):
    """(status, headers, body bytes), never raising on an HTTP status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def authorization_code(idp, verifier, **overrides):
    """The fake's redirect for an authorization request, as a dict of the query."""
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": idp.redirect_uri, "scope": "openid",
              "code_challenge": s256(verifier), "code_challenge_method": "S256", "state": "s-" + secrets.token_hex(4)}
    params.update(overrides)
    status, headers, _ = http_call("GET", idp.discovery()["authorization_endpoint"] + "?" +
                                   urllib.parse.urlencode({k: v for k, v in params.items() if v is not None}),
                                   follow=False)
    if status != 302:
        return {"status": [str(status)]}
    return urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)


def redeem(idp, code, verifier, origin=None, **overrides):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": idp.redirect_uri,
            "client_id": CLIENT_ID, "code_verifier": verifier}
    form.update(overrides)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        headers["Origin"] = origin
    status, answer_headers, body = http_call("POST", idp.discovery()["token_endpoint"],
                                             urllib.parse.urlencode(form).encode(), headers)
    return status, answer_headers, json.loads(body or b"{}")


def check_fake_refuses(idp):
    """The fake is strict: the browser test's success means the console did it right."""
    verifier = b64url(os.urandom(32))
    code = authorization_code(idp, verifier)["code"][0]
    status, _, answer = redeem(idp, code, b64url(os.urandom(32)))
    assert (status, answer.get("error")) == (400, "invalid_grant"), (status, answer)
    assert "PKCE" in answer["error_description"], answer
    status, _, answer = redeem(idp, code, verifier)
    assert (status, answer.get("error")) == (400, "invalid_grant"), "a code is single use, even after a failed try"
    check("the fake refuses a wrong code_verifier, and the code is spent by the try")

    code = authorization_code(idp, verifier)["code"][0]
    tampered = verifier[:-1] + ("A" if verifier[-1] != "A" else "B")
    assert redeem(idp, code, tampered)[2].get("error") == "invalid_grant"
    code = authorization_code(idp, verifier)["code"][0]
    assert redeem(idp, code, verifier, redirect_uri=idp.redirect_uri + "x")[2].get("error") == "invalid_grant"
    code = authorization_code(idp, verifier)["code"][0]
    assert redeem(idp, code, verifier, client_id="other-client")[2].get("error") == "invalid_client"
    code = authorization_code(idp, verifier)["code"][0]
    status, headers, answer = redeem(idp, code, verifier, origin="http://evil.example")
    assert status == 200 and "access_token" in answer, (status, answer)
    assert headers.get("Access-Control-Allow-Origin") is None, "CORS only for the registered web origin"
    status, headers, answer = redeem(idp, code, verifier, origin=idp.web_origin)
    assert answer.get("error") == "invalid_grant", "the code was redeemed once already"
    check("the fake refuses a tampered verifier, another redirect_uri or client, a reused code; "
          "CORS only for the web origin")

    for overrides, error in (({"code_challenge_method": "plain"}, "invalid_request"),
                             ({"code_challenge_method": None}, "invalid_request"),
                             ({"code_challenge": None}, "invalid_request"),
                             ({"state": None}, "invalid_request"),
                             ({"response_type": "token"}, "unsupported_response_type")):
        answer = authorization_code(idp, verifier, **overrides)
        assert answer.get("error") == [error], (overrides, answer)
    assert authorization_code(idp, verifier, redirect_uri="http://evil.example/")["status"] == ["400"]
    assert authorization_code(idp, verifier, client_id="other")["status"] == ["400"]
    check("the fake's authorization endpoint requires S256, a challenge and state, and never redirects elsewhere")


def start_gateway(args, work, idp):
    config = os.path.join(work, "gateway.json")
    with open(config, "w") as out:
        json.dump({
            "server": {"host": "127.0.0.1", "port": 0,
                       "auth": {"oidc": {"issuer": idp.issuer, "audience": AUDIENCE},
                                "api_keys": [{"name": "seed", "key_sha256": hashlib.sha256(API_KEY.encode()).hexdigest(),
                                              "roles": ["operator"]}]},
                       "console": {"directory": args.console, "oidc_client_id": CLIENT_ID}},
            "plugins": {"directories": [args.plugins]},
            "store": {"sqlite": {"path": os.path.join(work, "gw.db")}},
            "sinks": [],
        }, out)
    log = open(os.path.join(work, "gateway.log"), "w+")
    gateway = subprocess.Popen([args.gateway, "--config", config], stderr=log, stdout=subprocess.DEVNULL)

    def read_log():
        log.seek(0)
        text = log.read()
        if gateway.poll() is not None:
            raise AssertionError(f"the gateway exited: {text[-2000:]}")
        return text

    def listening():
        match = re.search(r'"message":"listening".*?"port":"(\d+)"', read_log())
        return match and int(match.group(1))

    port = wait_for("the gateway to listen", listening, 60)
    wait_for("the gateway to fetch the issuer's keys", lambda: '"message":"OIDC keys fetched"' in read_log(), 20)
    return gateway, log, port


def api(port, method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    status, _, answer = http_call(method, f"http://127.0.0.1:{port}{path}", data, headers)
    return status, json.loads(answer or b"null")


def run(args):
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    chromedriver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    if not chromium or not chromedriver:
        print("SKIPPED: the console OIDC browser test needs Debian's chromium and chromium-driver packages "
              "(packaging/install-deps.sh installs them)")
        return SKIPPED

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="ccm-console-oidc-")
    idp = FakeIdp(work)
    gateway, log, port = start_gateway(args, work, idp)
    origin = f"http://127.0.0.1:{port}"
    idp.redirect_uri = f"{origin}/console/"
    idp.web_origin = origin
    driver_port = free_port()
    driver = subprocess.Popen([chromedriver, f"--port={driver_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    try:
        config = json.loads(http_call("GET", f"{origin}/console/config.json")[2])
        assert config == {"auth_required": True, "oidc": {"issuer": idp.issuer, "client_id": CLIENT_ID}}, config
        _, headers, _ = http_call("GET", f"{origin}/console/")
        policy = headers["Content-Security-Policy"]
        connect = re.search(r"connect-src ([^;]*)", policy).group(1).split()
        assert connect == ["'self'", f"http://127.0.0.1:{idp.server.server_address[1]}"], policy
        check("config.json names the issuer and client; the CSP's connect-src allows the issuer's origin")

        definition = api(port, "POST", "/api/v1/definitions", API_KEY, {
            "name": "one-router", "lab_yaml": "lab:\n  title: one router\nnodes:\n  - id: n0\n    label: r1\n"
                                              "    node_definition: iosv\n"})[1]["id"]
        assert api(port, "POST", "/api/v1/sessions", API_KEY, {"definition_id": definition, "owner_id": "student-42"})[0] == 201

        wait_for("chromedriver", lambda: _answers(driver_port), 20)
        browser = WebDriver(driver_port, chromium)
        console = f"{origin}/console/"
        button_css = "form.sign-in button[type=button]"
        host = urllib.parse.urlsplit(idp.issuer).netloc

        # The user declines at the issuer: the console says so and offers sign-in again.
        idp.deny_next = True
        browser.open(console)
        button = browser.wait(button_css)
        assert browser.text(button_css) == f"Sign in with {host}", browser.text(button_css)
        browser.click(button)
        browser.wait_text("the issuer refused the sign-in: the user declined")
        assert not idp.token_requests, "no token request after a refusal"
        assert "code=" not in browser.script("return location.href;") and "error=" not in browser.script("return location.href;")
        check("a refusal at the issuer is shown, and the answer is taken off the address bar")

        # The client lacks the gateway's web origin: the token endpoint answers
        # without CORS headers, the browser hides the answer, the console says why.
        idp.web_origin = "https://other-console.example"
        browser.click(browser.wait(button_css))
        browser.wait_text(f"is {origin} a web origin (CORS) of the client?")
        assert [r["outcome"] for r in idp.token_requests] == ["issued"], idp.token_requests
        assert browser.script("return sessionStorage.getItem('ccm.console.credential');") is None
        idp.token_requests.clear()
        idp.web_origin = origin
        check("without the gateway as a web origin the token cannot be read, and the console names the cause")

        # The real round trip: discovery, authorization, back with code and state, token, API calls.
        before = len(idp.authorizations)
        browser.click(browser.wait(button_css))
        browser.wait_text("student-42")
        browser.wait_text("Signed in (OIDC)", css="#principal")
        assert len(idp.authorizations) == before + 1
        request = {name: values[0] for name, values in idp.authorizations[-1].items()}
        assert request["redirect_uri"] == idp.redirect_uri and request["code_challenge_method"] == "S256"
        assert len(idp.token_requests) == 1, idp.token_requests
        token_request = idp.token_requests[0]
        assert token_request["outcome"] == "issued" and token_request["verifier_matched"], token_request
        assert token_request["origin"] == origin, token_request
        verifier = token_request["form"]["code_verifier"][0]
        assert s256(verifier) == request["code_challenge"] and len(verifier) >= 43
        check("Chromium signed in through the fake issuer: one token request, its code_verifier matches the S256 challenge")

        stored = browser.script("return JSON.parse(sessionStorage.getItem('ccm.console.credential'));")
        assert stored["kind"] == "OIDC" and stored["secret"] == idp.issued[-1], stored
        assert stored["expires_at"] > time.time() * 1000
        assert browser.script("return sessionStorage.getItem('ccm.console.oidc');") is None
        location = browser.script("return location.href;")
        assert location == f"{console}#/sessions", location
        status, answer = api(port, "GET", "/api/v1/sessions", idp.issued[-1])
        assert status == 200 and answer["items"], (status, answer)
        status, _ = api(port, "GET", "/api/v1/sessions", idp.issued[-1][:-4] + "AAAA")
        assert status == 401, status
        check("the access token is kept for the tab, the code is gone from the address, and the gateway accepts "
              "the token (and refuses it tampered)")

        # The console as the OIDC user: a command (operator role from realm_access.roles).
        browser.open(f"{console}#/workers")
        browser.wait_text("Workers")
        assert "Unauthorized" not in browser.text() and "Forbidden" not in browser.text()
        assert len(idp.token_requests) == 1, "navigating does not sign in again"
        check("the signed-in console navigates with the token, without another token request")

        check_fake_refuses(idp)
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
        idp.server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(CHECKS)} passed, 0 failed in {time.monotonic() - started:.1f} s")
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--plugins", required=True)
    parser.add_argument("--console", default=os.path.normpath(os.path.join(here, "..", "..", "console")))
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
