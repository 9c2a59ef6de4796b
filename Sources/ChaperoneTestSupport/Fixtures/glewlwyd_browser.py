#!/usr/bin/env python3
"""The user at Glewlwyd's own web pages, in headless Chromium driven by Selenium.

    glewlwyd_browser.py --base URL --username NAME --binding-message TEXT
                        --answer approve|deny --screenshots DIR

The user's password is read from standard input, never from an argument: a command line is
readable by every process on the machine.

What a person with the account does on their phone: opens the account page, presses
"Log in", signs in with their password on the login page, comes back to the account page,
which lists the requests waiting for them with their binding message, and follows the
request's link: "connect" leads to the request's page, where "Continue" approves; "cancel"
denies at once. Glewlwyd then shows its verdict ("The request is complete", "Request
cancelled").

Prints one JSON line per step, {"step", "url", "screenshot", "text"}, with a screenshot
DIR/NN-step.png taken at every one, and last {"outcome": {...}}: the verdict page's title
and message, the `ciba_message` of its address, and whether the request page showed the
binding message. Exits 1 after {"error": ...} (and a screenshot NN-failure.png) when a page
does not behave as described.
"""
import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from urllib.parse import parse_qs, urlsplit

from selenium import webdriver
from selenium.common.exceptions import (NoSuchElementException,
                                        StaleElementReferenceException, WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class PageFailure(Exception):
    pass


def die_with_parent():
    """Ends this process group (Chromium and its driver included) if the test runner dies.

    The runner starts this script as the leader of a process group of its own; a runner that
    is killed cannot tidy up, so the script watches for being orphaned itself.
    """
    parent = os.getppid()
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def start_chromium(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.add_argument("--headless=new")
    # Chromium's sandbox refuses to start as root ("Running as root without --no-sandbox is
    # not supported"), and CI runs the tests as root. Anyone else keeps the sandbox.
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.add_argument("--user-data-dir=" + profile)
    options.add_argument("--window-size=1000,900")
    # The pages are compared by their English text.
    options.add_argument("--lang=en-US")
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    # Glewlwyd is on loopback; a browser left alone calls home for updates, safe browsing and
    # the like. No name resolves, and nothing runs in the background.
    options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    for flag in ("--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions",
                 "--no-first-run", "--no-default-browser-check"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


class Walk:
    """The browser, numbering and photographing each step it reports."""

    def __init__(self, driver, screenshots, timeout):
        self.driver = driver
        self.screenshots = screenshots
        self.timeout = timeout
        self.count = 0

    def wait(self, what, condition, timeout=None):
        """What `condition` returns once it is truthy; a failure naming `what` after the
        timeout. Pages re-render as their data arrives, so an element can go stale between
        finding and reading it: that is a reason to look again, not a failure."""
        waiting = WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.1,
                                ignored_exceptions=(NoSuchElementException,
                                                    StaleElementReferenceException))
        try:
            return waiting.until(lambda driver: condition())
        except WebDriverException:
            raise PageFailure("timed out waiting for %s at %s"
                              % (what, self.driver.current_url)) from None

    def visible(self, by, selector):
        return [e for e in self.driver.find_elements(by, selector) if e.is_displayed()]

    def button(self, text):
        """The visible button whose text or title is `text`."""
        return next((b for b in self.visible(By.TAG_NAME, "button")
                     if text in (b.text.strip(), b.get_attribute("title"))), None)

    def click(self, element):
        # Glewlwyd's notices slide in at the top right, over the navigation bar's buttons;
        # a person closes them before pressing what is underneath.
        for close in self.visible(By.CSS_SELECTOR, ".toast button.close"):
            close.click()
        self.wait("the notices to close", lambda: not self.visible(By.CSS_SELECTOR, ".toast"))
        element.click()

    def step(self, name):
        self.count += 1
        path = os.path.join(self.screenshots, "%02d-%s.png" % (self.count, name))
        self.driver.save_screenshot(path)
        text = self.driver.find_element(By.TAG_NAME, "body").text
        print(json.dumps({"step": name, "url": self.driver.current_url, "screenshot": path,
                          "text": text}), flush=True)


def sign_in(walk, base, username, password):
    walk.driver.get(base + "/profile.html")
    login = walk.wait("the account page's Log in button", lambda: walk.button("Log in"))
    walk.step("account-page")

    walk.click(login)
    walk.wait("the login form", lambda: walk.visible(By.ID, "password"))
    walk.step("login-page")

    walk.driver.find_element(By.ID, "username").send_keys(username)
    walk.driver.find_element(By.ID, "password").send_keys(password)
    walk.step("credentials")

    walk.click(walk.driver.find_element(By.ID, "loginbut"))
    signed_in = walk.wait("the signed-in page's Continue button",
                          lambda: walk.button("Continue"))
    walk.step("signed-in")
    walk.click(signed_in)


def pending_request(walk, binding_message):
    """The account page's notice for the request reading `binding_message`. The page reads
    the list once, when it loads: a person waiting for a request reloads it."""

    def notice():
        for candidate in walk.visible(By.CSS_SELECTOR, ".alert-info"):
            lines = [div.text.strip() for div in candidate.find_elements(By.TAG_NAME, "div")]
            if binding_message in lines:
                return candidate
        return None

    deadline = time.monotonic() + walk.timeout
    while True:
        walk.wait("the account page", lambda: walk.visible(By.ID, "dropdownProfile"))
        try:
            return walk.wait("the pending request", notice, timeout=2)
        except PageFailure:
            if time.monotonic() > deadline:
                raise PageFailure("no pending request reading %r on the account page"
                                  % binding_message) from None
        walk.driver.refresh()


def request_link(notice, answer):
    """The notice's link to the request's connect URI, or to its cancel URI."""
    for link in notice.find_elements(By.TAG_NAME, "a"):
        href = link.get_attribute("href") or ""
        if "/ciba_user_check?" in href and href.endswith("&cancel") == (answer == "deny"):
            return link
    raise PageFailure("the pending request has no %s link"
                      % ("cancel" if answer == "deny" else "connect"))


def verdict(walk):
    walk.wait("Glewlwyd's verdict",
              lambda: "ciba_message=" in walk.driver.current_url
              and walk.visible(By.CSS_SELECTOR, ".card-body h4"))
    query = parse_qs(urlsplit(walk.driver.current_url).query)
    return {
        "ciba_message": query.get("ciba_message", [""])[0],
        "title": walk.driver.find_element(By.CSS_SELECTOR, ".card-body h3").text.strip(),
        "message": walk.driver.find_element(By.CSS_SELECTOR, ".card-body h4").text.strip(),
    }


def answer_request(walk, binding_message, answer):
    notice = pending_request(walk, binding_message)
    walk.step("pending-request")
    walk.click(request_link(notice, answer))
    shown = None
    if answer == "approve":
        # The request's own page: the binding message again, and Continue to approve.
        approve = walk.wait("the request page's Continue button",
                            lambda: walk.button("Continue"))
        shown = any(binding_message == alert.text.strip()
                    for alert in walk.visible(By.CSS_SELECTOR, ".alert-info"))
        walk.step("request")
        walk.click(approve)
    outcome = verdict(walk)
    walk.step("approved" if answer == "approve" else "denied")
    outcome["binding_message_shown"] = shown
    return outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="Glewlwyd's URL, without a final /")
    parser.add_argument("--username", required=True)
    parser.add_argument("--binding-message", required=True)
    parser.add_argument("--answer", choices=["approve", "deny"], required=True)
    parser.add_argument("--screenshots", required=True, help="directory for NN-step.png")
    parser.add_argument("--timeout", type=float, default=15, help="seconds per step")
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    die_with_parent()
    os.makedirs(args.screenshots, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = start_chromium(profile)
        walk = Walk(driver, args.screenshots, args.timeout)
        try:
            sign_in(walk, args.base, args.username, password)
            outcome = answer_request(walk, args.binding_message, args.answer)
            print(json.dumps({"outcome": outcome}), flush=True)
        except (PageFailure, WebDriverException) as error:
            print(json.dumps({"error": str(error)}), flush=True)
            try:
                walk.step("failure")
            except WebDriverException:
                pass  # a browser that died takes no screenshot; the error says why
            return 1
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
