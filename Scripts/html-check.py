#!/usr/bin/env python3
"""Opens a flowaudit HTML report in headless Chromium and reports what a browser saw, as one JSON object.

    Scripts/html-check.py REPORT.html OUTPUT-DIRECTORY [NAME]

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: no port, nothing to
clash with). The page is loaded from its file; every console message and exception, and every network
request other than the page itself, is recorded; the DOM is inspected after load (the charts and their
data, with the page's script on and off); screenshots in the light and dark scheme and a PDF print are
written to OUTPUT-DIRECTORY as NAME.png, NAME-dark.png and NAME.pdf. Only the standard library is used.
The tests (HTMLBrowserTests) run it; `.ci/run` installs Debian's chromium.
"""

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

INSPECT = r"""
(function () {
  function count(selector) { return document.querySelectorAll(selector).length; }
  var charts = Array.prototype.map.call(document.querySelectorAll("svg.chart"), function (svg) {
    return {
      kind: svg.getAttribute("class").replace("chart ", ""),
      label: svg.getAttribute("aria-label"),
      bars: svg.querySelectorAll(".bar-connections rect[data-connections]").length,
      lines: svg.querySelectorAll("polyline").length,
      cells: svg.querySelectorAll("rect.cell").length,
      barRows: svg.querySelectorAll("g.bar-row").length,
      axisTitles: Array.prototype.map.call(svg.querySelectorAll(".axis-title"), function (t) { return t.textContent; }),
      legend: Array.prototype.map.call(svg.querySelectorAll("g.legend > text:not(.glyph)"), function (t) { return t.textContent; }),
      width: svg.getBoundingClientRect().width
    };
  });
  return JSON.stringify({
    title: document.title,
    verdict: document.body.getAttribute("data-verdict"),
    sections: Array.prototype.map.call(document.querySelectorAll("main > section"), function (s) { return s.id; }),
    findings: count("article.finding"),
    scripts: count("script"),
    charts: charts,
    injected: count("main script, main iframe, main object, main embed, main img, main link, main style") +
              count("[onerror], [onload], [onclick]"),
    width: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight
  });
})()
"""


class Browser:
    def __init__(self, executable, profile):
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def wire():
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [executable, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
             "--metrics-recording-only", "--mute-audio", "--hide-scrollbars", "--force-color-profile=srgb",
             "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=wire)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self.read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def read(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self.from_browser], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(line)
        if "method" in message:
            self.events.append(message)
        return message

    def wait_for(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["method"] == method:
                    self.events.remove(event)
                    return event
            self.read(deadline)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    page = os.path.abspath(sys.argv[1])
    output = os.path.abspath(sys.argv[2])
    name = sys.argv[3] if len(sys.argv) > 3 else "report"
    os.makedirs(output, exist_ok=True)
    executable = os.environ.get("FLOWAUDIT_CHROMIUM") or next(
        (path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)
    if not executable:
        sys.exit("no Chromium found (apt-get install chromium)")
    url = "file://" + page
    profile = tempfile.mkdtemp(prefix="flowaudit-chromium-")
    browser = Browser(executable, profile)
    result = {"console": [], "exceptions": [], "requests": [], "log": []}
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Page", "Runtime", "Log", "Network"]:
            browser.send(domain + ".enable", session=session)
        metrics = {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False}
        browser.send("Emulation.setDeviceMetricsOverride", metrics, session=session)

        def load(scripts):
            browser.send("Emulation.setScriptExecutionDisabled", {"value": not scripts}, session=session)
            browser.send("Page.navigate", {"url": url}, session=session)
            browser.wait_for("Page.loadEventFired")
            value = browser.send("Runtime.evaluate", {"expression": INSPECT, "returnByValue": True}, session=session)
            return json.loads(value["result"]["value"])

        result["withoutScript"] = load(scripts=False)
        result["dom"] = load(scripts=True)
        # Screenshots of the whole page, light and dark.
        height = min(max(result["dom"]["height"], 900), 30000)
        browser.send("Emulation.setDeviceMetricsOverride", dict(metrics, height=height), session=session)
        for scheme, suffix in [("light", ""), ("dark", "-dark")]:
            browser.send("Emulation.setEmulatedMedia",
                         {"features": [{"name": "prefers-color-scheme", "value": scheme}]}, session=session)
            shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                                session=session)
            path = os.path.join(output, name + suffix + ".png")
            with open(path, "wb") as file:
                file.write(base64.b64decode(shot["data"]))
            result["screenshot" + suffix.replace("-", "_")] = path
        browser.send("Emulation.setEmulatedMedia", {"media": "print", "features": []}, session=session)
        pdf = base64.b64decode(browser.send("Page.printToPDF", {"printBackground": True}, session=session)["data"])
        result["pdf"] = os.path.join(output, name + ".pdf")
        with open(result["pdf"], "wb") as file:
            file.write(pdf)
        result["pdfBytes"] = len(pdf)
        for event in browser.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                texts = [str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])]
                result["console"].append({"type": params.get("type"), "text": " ".join(texts)})
            elif method == "Runtime.exceptionThrown":
                result["exceptions"].append(params["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded":
                entry = params["entry"]
                result["log"].append({"level": entry.get("level"), "text": entry.get("text"), "source": entry.get("source")})
            elif method == "Network.requestWillBeSent":
                requested = params["request"]["url"]
                if requested != url:
                    result["requests"].append(requested)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
