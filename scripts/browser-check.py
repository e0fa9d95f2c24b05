#!/usr/bin/env python3
"""Loads an HTML page in headless Chromium at given window widths and reports its layout as JSON.

Talks to Chromium over --remote-debugging-pipe (the DevTools protocol on file descriptors 3 and 4, messages
separated by NUL), so it needs nothing beyond the Python standard library. For each width it emulates a window of
that width, loads the page, and records the document's layout width, the window's width, whether the first wide
table scrolls inside its own box, the in-page links and whether each leads to an element, the table of
contents, the lines each column header takes, and a full-page screenshot (PNG) written next to the page.

Usage: browser-check.py CHROMIUM PAGE.html WIDTH [WIDTH ...]
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

PROBE = """JSON.stringify({
  scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
  innerWidth: innerWidth,
  toc: !!document.querySelector("nav.toc a[href^='#']"),
  tocEntries: document.querySelectorAll("nav.toc a").length,
  tableScrolls: [...document.querySelectorAll(".table-scroll")].some(t => t.scrollWidth > t.clientWidth),
  links: [...document.querySelectorAll("a[href^='#']")].map(a => ({
    href: a.getAttribute("href"), target: !!document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)))})),
  figures: [...document.querySelectorAll("figure svg")].map(s => ({
    alt: s.getAttribute("aria-label") || "", width: s.getBoundingClientRect().width})),
  smallestFigureText: Math.min(...[...document.querySelectorAll("figure svg")].map(s => {
    const box = s.viewBox.baseVal; return box && box.width ? 8 * s.getBoundingClientRect().width / box.width : 99;}), 99),
  headerLines: Object.fromEntries([...document.querySelectorAll("thead th")].map(th => {
    const range = document.createRange(); range.selectNodeContents(th);
    return [th.textContent, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];})),
  text: document.body.innerText.length
})"""


class Browser:
    def __init__(self, chromium, profile):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # The child gets the pipe ends on descriptors 3 (commands in) and 4 (responses out).
        def arrange():
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             "--no-first-run", "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
            preexec_fn=arrange, pass_fds=(3, 4), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.wait(lambda m: m.get("id") == self.next_id)

    def wait(self, predicate):
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            message = json.loads(raw)
            if "error" in message and message.get("id") == self.next_id:
                raise RuntimeError(json.dumps(message["error"]))
            if predicate(message):
                return message

    def close(self):
        try:
            self.send("Browser.close")
        except RuntimeError:
            pass
        self.process.wait(timeout=30)


def main():
    chromium, page, widths = sys.argv[1], os.path.abspath(sys.argv[2]), [int(w) for w in sys.argv[3:]]
    with tempfile.TemporaryDirectory(prefix="cementreport-cdp-") as profile:
        browser = Browser(chromium, profile)
        try:
            results = {}
            for width in widths:
                target = browser.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
                session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
                browser.send("Emulation.setDeviceMetricsOverride",
                             {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}, session)
                browser.send("Page.enable", session=session)
                browser.send("Page.navigate", {"url": "file://" + page}, session)
                browser.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session)
                probe = browser.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session)
                result = json.loads(probe["result"]["result"]["value"])
                shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session)
                path = os.path.splitext(page)[0] + f"-{width}.png"
                with open(path, "wb") as file:
                    file.write(base64.b64decode(shot["result"]["data"]))
                result["screenshot"] = path
                results[str(width)] = result
                browser.send("Target.closeTarget", {"targetId": target})
            print(json.dumps(results, sort_keys=True))
        finally:
            browser.close()


if __name__ == "__main__":
    main()
