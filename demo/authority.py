#!/usr/bin/python3
"""The demo's authority: Glewlwyd (Debian's package) on loopback, set up without a click.

    authority.py prepare   --state DIR --port N    files Glewlwyd starts from
    authority.py configure --state DIR --port N --pid PID
    authority.py seed      --state DIR --port N --chaperone BIN --config PROXY_YAML
    authority.py approve   --state DIR --port N [--binding-message TEXT]
    authority.py deny      --state DIR --port N [--binding-message TEXT]

scripts/run calls prepare, starts Glewlwyd itself (it owns every process of the demo), then
configure and seed. DIR is the demo's state folder (.chaperone/demo): Glewlwyd's database,
signing key, configuration, web pages and log live in DIR/glewlwyd; the files proxy.yaml
reads (client-id, client-secret) and the user's password (alice-password) beside them, each
owner-only. A folder set up for another port, or whose set-up never finished, is made anew.

- prepare: the package's glewlwyd.conf with the port, loopback address, log and SQLite
  database changed; the package's schema loaded; an RSA key and certificate for the tokens;
  a copy of the web pages (Glewlwyd refuses files reached through the symbolic links of the
  package's own folder).
- configure: through the administration API, the scopes, the user alice, the OIDC plugin
  (CIBA in poll mode, one-use refresh tokens, RS256 JWT access tokens) and Chaperone's
  confidential client; alice consents to that client's scopes; the administrator's default
  password is replaced by a random one.
- seed: alice links her account: a CIBA request as Chaperone's client, approved through her
  own API, and the refresh token piped into `chaperone vault put`, never an argument.
- approve, deny: alice answers a pending request (the newest, or the one reading TEXT)
  through her API, as the web page's buttons do.
"""
import argparse
import base64
import http.cookiejar
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PACKAGE_CONFIG = "/etc/glewlwyd/glewlwyd.conf"
PACKAGE_SCHEMA = "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz"
# Slim images drop /usr/share/doc: the test support keeps a copy of the same schema.
SCHEMA_COPY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources",
                           "ChaperoneTestSupport", "Fixtures", "glewlwyd-init.sqlite3.sql")
PACKAGE_WEBAPP = "/usr/share/glewlwyd/webapp"
PACKAGE_WEBAPP_CONFIG = "/usr/share/glewlwyd/templates/config.json"
# The account page, the login page and what they load; not the administration pages.
WEBAPP_ENTRIES = ["profile.html", "profile.js", "login.html", "login.js", "favicon.ico",
                  "css", "fonts", "img", "js", "locales"]

PLUGIN = "oidc"
CLIENT_ID = "chaperone"
USER = "alice"
# What the demo's routes ask for: the vault grant carries the first two, approvals the last.
SCOPES = ["messages.read", "messages.send", "purchases"]
GRANT_SCOPES = ["openid", "messages.read", "messages.send"]
# The schema's administrator, until configure replaces the password.
ADMIN = "admin"
DEFAULT_ADMIN_PASSWORD = "password"
# Written last by configure: the set-up is complete for this port.
MARKER_VERSION = 1


class Failure(Exception):
    """A step that did not work, said so that the person running the demo can act on it."""


def random_secret(length=32):
    """Letters and digits: the same in a URL, a form and a Basic header, so Glewlwyd's
    reading of client_secret_basic (it does not form-decode) agrees with everyone's."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def write_private(path, text):
    """Writes a file only its owner can read, replacing any earlier one."""
    temporary = path + ".new"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def read(path):
    with open(path) as file:
        return file.read().strip()


class Paths:
    def __init__(self, state, port):
        self.state = os.path.abspath(state)
        self.port = port
        self.glewlwyd = os.path.join(self.state, "glewlwyd")
        self.config = os.path.join(self.glewlwyd, "glewlwyd.conf")
        self.database = os.path.join(self.glewlwyd, "glewlwyd.sqlite3")
        self.key = os.path.join(self.glewlwyd, "signing-key.pem")
        self.certificate = os.path.join(self.glewlwyd, "signing-cert.pem")
        self.webapp = os.path.join(self.glewlwyd, "webapp")
        self.log = os.path.join(self.glewlwyd, "glewlwyd.log")
        self.admin_password = os.path.join(self.glewlwyd, "admin-password")
        self.marker = os.path.join(self.glewlwyd, "configured.json")
        self.client_id = os.path.join(self.state, "client-id")
        self.client_secret = os.path.join(self.state, "client-secret")
        self.user_password = os.path.join(self.state, USER + "-password")
        self.user_sub = os.path.join(self.state, USER + "-sub")

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def issuer(self):
        return self.base + "/api/" + PLUGIN

    def configured(self):
        try:
            with open(self.marker) as file:
                marker = json.load(file)
        except (OSError, ValueError):
            return False
        return marker == {"version": MARKER_VERSION, "port": self.port}


# --- prepare ---------------------------------------------------------------------------

def config_text(paths):
    """The package's configuration with the listener, URL, log, database and pages changed.
    Every line to change must be found, so a package whose file changed shape fails here
    rather than serving with a wrong setting."""
    replacements = [
        ("port=", "port=%d" % paths.port),
        ("#bind_address=", 'bind_address="127.0.0.1"'),
        ("external_url=", 'external_url="%s"' % paths.base),
        ("log_mode=", 'log_mode="file"'),
        ("log_file=", 'log_file="%s"' % paths.log),
        ('@include "/etc/glewlwyd/glewlwyd-db.conf"',
         'database = { type = "sqlite3"; path = "%s"; };' % paths.database),
        ("# static_files_path=", 'static_files_path="%s/"' % paths.webapp),
    ]
    with open(PACKAGE_CONFIG) as file:
        lines = file.read().split("\n")
    found = set()
    for index, line in enumerate(lines):
        for prefix, replacement in replacements:
            if line.startswith(prefix):
                lines[index] = replacement
                found.add(prefix)
                break
    missing = [prefix for prefix, _ in replacements if prefix not in found]
    if missing:
        raise Failure("%s has no line starting with %s" % (PACKAGE_CONFIG, ", ".join(missing)))
    return "\n".join(lines)


def schema_sql():
    if os.path.exists(PACKAGE_SCHEMA):
        return subprocess.run(["/bin/gzip", "-dc", PACKAGE_SCHEMA], check=True,
                              capture_output=True).stdout
    with open(SCHEMA_COPY, "rb") as file:
        return file.read()


def prepare(paths):
    if paths.configured():
        return
    # Anything left from another port or an unfinished set-up goes: it cannot be trusted.
    shutil.rmtree(paths.glewlwyd, ignore_errors=True)
    for stale in (paths.client_id, paths.client_secret, paths.user_password, paths.user_sub):
        if os.path.exists(stale):
            os.remove(stale)
    os.makedirs(paths.glewlwyd, mode=0o700)

    subprocess.run(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-subj", "/CN=chaperone-demo-authority", "-days", "3650",
                    "-keyout", paths.key, "-out", paths.certificate],
                   check=True, capture_output=True)
    subprocess.run(["/usr/bin/sqlite3", paths.database], input=schema_sql(), check=True,
                   capture_output=True)
    os.chmod(paths.database, 0o600)

    if os.path.exists(os.path.join(PACKAGE_WEBAPP, "login.html")):
        os.makedirs(paths.webapp)
        for entry in WEBAPP_ENTRIES:
            source = os.path.join(PACKAGE_WEBAPP, entry)
            target = os.path.join(paths.webapp, entry)
            if os.path.isdir(source):
                shutil.copytree(source, target, symlinks=False)
            else:
                shutil.copyfile(source, target)
        # `GlewlwydUrl: "./"` in the template: the pages find the API on their own origin.
        shutil.copyfile(PACKAGE_WEBAPP_CONFIG, os.path.join(paths.webapp, "config.json"))
    write_private(paths.config, config_text(paths))


# --- HTTP ------------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Glewlwyd answers a CIBA verdict with a redirect whose address says how it went."""

    def redirect_request(self, *arguments):
        return None


class Session:
    """A cookie session at Glewlwyd, as the administrator or as a user."""

    def __init__(self, base, username, password):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect,
            urllib.request.ProxyHandler({}))
        status, _, body = self.send("POST", "/api/auth/",
                                    {"username": username, "password": password})
        if status != 200:
            raise Failure("Glewlwyd refused the login of %s (%d %s)"
                          % (username, status, body[:200]))

    def send(self, method, path, body=None):
        """(status, headers, text) for a JSON request to `path`."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        return fetch(self.opener, request)

    def expect(self, method, path, body=None):
        status, _, text = self.send(method, path, body)
        if status != 200:
            raise Failure("Glewlwyd answered %s %s with %d: %s"
                          % (method, path, status, text[:300]))
        return text


def fetch(opener, request, timeout=10):
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def post_form(url, fields, client_id, client_secret):
    """A form POST as Chaperone's client, authenticated with client_secret_basic."""
    credentials = base64.b64encode(("%s:%s" % (client_id, client_secret)).encode()).decode()
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(),
                                     method="POST")
    request.add_header("Authorization", "Basic " + credentials)
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    status, _, text = fetch(opener, request)
    try:
        return status, json.loads(text) if text else {}
    except ValueError:
        return status, {"error": "not JSON: " + text[:200]}


def wait_until_answering(paths, pid, timeout=30):
    """Glewlwyd logs 'started on port N' once it listens; until then an answer on the port
    could come from anyone else. Fails at once when its process is gone."""
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if pid and not os.path.exists("/proc/%d" % pid):
            raise Failure("Glewlwyd exited while starting; its log: " + paths.log)
        try:
            with open(paths.log) as file:
                started = "Glewlwyd started on port %d" % paths.port in file.read()
        except OSError:
            started = False
        if started:
            try:
                status, _, _ = fetch(opener, urllib.request.Request(paths.base + "/config"), 2)
                if status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.05)
    raise Failure("Glewlwyd did not answer on port %d within %ds; its log: %s"
                  % (paths.port, timeout, paths.log))


# --- configure -------------------------------------------------------------------------

def plugin_parameters(paths):
    with open(paths.key) as key, open(paths.certificate) as certificate:
        key_pem, certificate_pem = key.read(), certificate.read()
    return {
        "iss": paths.issuer,
        "jwt-type": "rsa", "jwt-key-size": "256", "key": key_pem, "cert": certificate_pem,
        "jwks-show": True,
        "access-token-duration": 600,
        "refresh-token-duration": 1209600,
        "code-duration": 600,
        # Every refresh disables the token it used and returns a new one; presenting a used
        # one again disables the whole chain. Chaperone stores each new one before use.
        "refresh-token-one-use": "always",
        "client-refresh-token-one-use-parameter": "refresh-token-one-use",
        "refresh-token-rolling": True,
        "allow-non-oidc": True,
        "allowed-scope": ["openid"] + SCOPES,
        "auth-type-code-enabled": True, "auth-type-refresh-enabled": True,
        "auth-type-token-enabled": False, "auth-type-id-token-enabled": True,
        "auth-type-none-enabled": False, "auth-type-password-enabled": False,
        "auth-type-client-enabled": False, "auth-type-device-enabled": False,
        "subject-type": "public",
        "scope": [], "additional-parameters": [], "claims": [],
        "oauth-ciba-allowed": True,
        "oauth-ciba-mode-poll-allowed": True, "oauth-ciba-mode-ping-allowed": False,
        "oauth-ciba-mode-push-allowed": False,
        # Loopback is plain http.
        "oauth-ciba-allow-https-non-secure": True,
        # proxy.yaml holds purchases for 300 s and asks for that as requested_expiry.
        "oauth-ciba-default-expiry": 300,
        "oauth-ciba-maximum-expiry": 600,
        "oauth-ciba-user-code-allowed": False, "oauth-ciba-email-allowed": False,
    }


def configure(paths, pid):
    wait_until_answering(paths, pid)
    if paths.configured():
        return
    admin = Session(paths.base, ADMIN, DEFAULT_ADMIN_PASSWORD)
    for scope in SCOPES:
        admin.expect("POST", "/api/scope/", {
            "name": scope, "display_name": scope, "description": "Chaperone demo: " + scope,
            "password_required": False, "password_max_age": 0, "scheme": {}})

    password = random_secret(16)
    admin.expect("POST", "/api/user/", {
        "username": USER, "password": password, "name": "Alice", "email": "alice@example.test",
        "enabled": True, "scope": ["openid", "g_profile"] + SCOPES})

    admin.expect("POST", "/api/mod/plugin/", {
        "module": "oidc", "name": PLUGIN, "display_name": "OpenID Connect", "enabled": True,
        "parameters": plugin_parameters(paths)})

    secret = random_secret()
    admin.expect("POST", "/api/client/", {
        "client_id": CLIENT_ID, "client_secret": secret, "name": "Chaperone", "enabled": True,
        "confidential": True, "token_endpoint_auth_method": ["client_secret_basic"],
        "authorization_type": ["refresh_token", "urn:openid:params:grant-type:ciba"],
        "backchannel_token_delivery_mode": "poll",
        "redirect_uri": ["http://127.0.0.1/callback"], "scope": []})

    # Without consent an approval still succeeds, but its token carries only openid.
    user = Session(paths.base, USER, password)
    user.expect("PUT", "/api/auth/grant/" + CLIENT_ID, {"scope": " ".join(["openid"] + SCOPES)})

    # The schema ships admin/password: anyone on this host could otherwise administer it.
    admin_password = random_secret()
    admin.expect("PUT", "/api/profile/password",
                 {"username": ADMIN, "old_password": DEFAULT_ADMIN_PASSWORD,
                  "password": admin_password})
    write_private(paths.admin_password, admin_password + "\n")

    write_private(paths.client_id, CLIENT_ID + "\n")
    write_private(paths.client_secret, secret + "\n")
    write_private(paths.user_password, password + "\n")
    write_private(paths.marker, json.dumps({"version": MARKER_VERSION, "port": paths.port}))


# --- the user's side -------------------------------------------------------------------

def user_session(paths):
    return Session(paths.base, USER, read(paths.user_password))


def pending(session, binding_message=None, timeout=10):
    """The request waiting for the user: the one reading `binding_message`, or the newest."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, text = session.send("GET", "/api/%s/ciba_user_list" % PLUGIN)
        if status != 200:
            raise Failure("ciba_user_list answered %d: %s" % (status, text[:200]))
        requests = json.loads(text)
        match = [r for r in requests
                 if binding_message is None or r.get("binding_message") == binding_message]
        if match:
            return match[0]
        if time.monotonic() > deadline:
            raise Failure("no request is waiting for %s%s" % (
                USER, "" if binding_message is None else " reading %r" % binding_message))
        time.sleep(0.1)


def answer(session, request, approve):
    """Follows the request's connect URI (approve) or cancel URI (deny), as the page does;
    Glewlwyd's redirect says ciba_message=complete or cancelled."""
    uri = request["connect_uri"] + "&g_continue" if approve else request["cancel_uri"]
    path = urllib.parse.urlsplit(uri)
    status, headers, _ = session.send("GET", path.path + "?" + path.query)
    location = headers.get("Location", "") if headers else ""
    outcome = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("ciba_message")
    expected = "complete" if approve else "cancelled"
    if status != 302 or outcome != [expected]:
        raise Failure("Glewlwyd answered %d %s, not ciba_message=%s" % (status, location,
                                                                      expected))


def seed(paths, chaperone, config):
    """alice links her account: a first refresh token for Chaperone's client, by CIBA."""
    client_id, secret = read(paths.client_id), read(paths.client_secret)
    message = "Link Chaperone " + random_secret(6)
    status, started = post_form(paths.issuer + "/ciba", {
        "login_hint": json.dumps({"username": USER}), "scope": " ".join(GRANT_SCOPES),
        "binding_message": message}, client_id, secret)
    if status != 200 or "auth_req_id" not in started:
        raise Failure("the backchannel request answered %d: %s" % (status, started))
    session = user_session(paths)
    answer(session, pending(session, message), approve=True)

    # Glewlwyd answers a poll at once, whatever its advertised interval.
    status, tokens = post_form(paths.issuer + "/token", {
        "grant_type": "urn:openid:params:grant-type:ciba",
        "auth_req_id": started["auth_req_id"]}, client_id, secret)
    if status != 200 or "refresh_token" not in tokens:
        raise Failure("the token endpoint answered %d: %s" % (status, tokens.get("error")))
    claims = json.loads(base64.urlsafe_b64decode(tokens["access_token"].split(".")[1] + "=="))
    write_private(paths.user_sub, claims["sub"] + "\n")

    stored = subprocess.run([chaperone, "vault", "put", "--user", USER, "--connection",
                             "glewlwyd", "--config", config],
                            input=tokens["refresh_token"] + "\n", text=True,
                            capture_output=True)
    if stored.returncode != 0:
        raise Failure("chaperone vault put failed: " + stored.stderr.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["prepare", "configure", "seed", "approve", "deny"])
    parser.add_argument("--state", required=True, help="the demo's state folder")
    parser.add_argument("--port", type=int, required=True, help="Glewlwyd's port")
    parser.add_argument("--pid", type=int, help="Glewlwyd's process, watched while starting")
    parser.add_argument("--chaperone", help="the chaperone binary (seed)")
    parser.add_argument("--config", help="Chaperone's proxy.yaml (seed)")
    parser.add_argument("--binding-message", help="the request to answer (approve, deny)")
    args = parser.parse_args()
    paths = Paths(args.state, args.port)
    os.umask(0o077)
    try:
        if args.step == "prepare":
            prepare(paths)
        elif args.step == "configure":
            configure(paths, args.pid)
        elif args.step == "seed":
            seed(paths, args.chaperone, args.config)
        else:
            session = user_session(paths)
            request = pending(session, args.binding_message)
            answer(session, request, approve=args.step == "approve")
            print("%s %s: %s" % ("approved" if args.step == "approve" else "denied",
                                 USER, request.get("binding_message")))
    except Failure as failure:
        print("authority: %s" % failure, file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as error:
        print("authority: %s failed: %s" % (args.step, error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
