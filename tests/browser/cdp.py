"""cdp.py - drive headless Chromium through the DevTools protocol.

Python standard library only.  Chromium is started with
--remote-debugging-pipe: it reads commands from its fd 3 and writes
replies and events to its fd 4, each message JSON ended by a NUL byte.

    with Browser(tmpdir) as b:
        b.open("file:///.../x.svg", width=1220, height=600)
        b.eval("document.title")
        png = b.screenshot()

Chromium runs in a process group of its own, killed (SIGKILL) when the
Browser is closed, however the caller ends; every wait has a deadline.
PNG decoding (decode_png) is here too: screenshots are checked pixel by
pixel without any imaging library.
"""

import base64
import ctypes
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zlib


PR_SET_PDEATHSIG = 1


class CdpError(Exception):
    pass


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, tmpdir=None, timeout=15.0, log=None):
        self.timeout = timeout
        self.next_id = 0
        self.replies = {}
        self.events = []
        self.buf = b""
        self.session = None
        self.on_event = None
        self.proc = None
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=tmpdir)
        exe = find_chromium()
        if not exe:
            raise CdpError("chromium not found")
        # Ours: write commands to cmd_w, read replies from rep_r.  The
        # browser's: cmd_r becomes its fd 3 and rep_w its fd 4.
        cmd_r, self.cmd_w = os.pipe()
        self.rep_r, rep_w = os.pipe()

        libc = ctypes.CDLL(None, use_errno=True)

        def child_fds():
            # Should we be killed outright, the browser goes with us.
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            # Out of the way first, so neither dup2 below clobbers the other.
            a = os.dup(cmd_r) if cmd_r < 10 else cmd_r
            b = os.dup(rep_w) if rep_w < 10 else rep_w
            a2, b2 = os.dup2(a, 10), os.dup2(b, 11)
            os.dup2(a2, 3)
            os.dup2(b2, 4)

        args = [
            exe, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--remote-debugging-pipe",
            "--user-data-dir=" + self.profile, "--no-first-run",
            "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--mute-audio", "--hide-scrollbars",
            # Screenshots in plain sRGB: a pixel is exactly its fill.
            "--force-color-profile=srgb", "--window-size=1280,1024",
            "about:blank",
        ]
        out = open(log, "ab") if log else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                preexec_fn=child_fds, pass_fds=(3, 4), start_new_session=True)
        finally:
            os.close(cmd_r)
            os.close(rep_w)
            if log:
                out.close()

    # ------------------------------------------------------------ protocol

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("no reply from chromium within %.0f s" % self.timeout)
            ready, _, _ = select.select([self.rep_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.rep_r, 1 << 20)
            if not chunk:
                raise CdpError("chromium closed its pipe (exit status %r)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def _pump(self, deadline):
        msg = self._read_message(deadline)
        if "id" in msg:
            self.replies[msg["id"]] = msg
            return
        self.events.append(msg)
        if self.on_event:
            self.on_event(self, msg)

    def post(self, method, params=None, session=True):
        """Send a command; its id, for wait_reply."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.cmd_w, data)
            data = data[n:]
        return self.next_id

    def wait_reply(self, mid):
        deadline = time.monotonic() + self.timeout
        while mid not in self.replies:
            self._pump(deadline)
        msg = self.replies.pop(mid)
        if "error" in msg:
            raise CdpError("%s" % msg["error"])
        return msg.get("result", {})

    def call(self, method, params=None, session=True):
        return self.wait_reply(self.post(method, params, session))

    def wait_event(self, method, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    del self.events[i]
                    return ev.get("params", {})
            self._pump(deadline)

    # --------------------------------------------------------------- page

    def open(self, url, width, height):
        """A page of width x height CSS pixels (scale 1) showing url."""
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": False})
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def eval(self, expr):
        """The value of a JavaScript expression (JSON-serializable)."""
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                            "awaitPromise": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CdpError("JavaScript exception: %s" % (
                d.get("exception", {}).get("description") or d.get("text")))
        return r["result"].get("value")

    def click(self, x, y):
        """A real left click at (x, y): move, press, release."""
        for kind, buttons in (("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none",
                       "buttons": buttons, "clickCount": 1})

    def key(self, key, code, keycode, modifiers=0, text=None):
        """A key press and release (modifiers: 2 = Ctrl)."""
        down = {"type": "rawKeyDown" if text is None else "keyDown", "key": key, "code": code,
                "windowsVirtualKeyCode": keycode, "modifiers": modifiers}
        if text is not None:
            down["text"] = text
        self.call("Input.dispatchKeyEvent", down)
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code,
                                             "windowsVirtualKeyCode": keycode,
                                             "modifiers": modifiers})

    def screenshot(self):
        r = self.call("Page.captureScreenshot", {"format": "png"})
        return base64.b64decode(r["data"])

    # ------------------------------------------------------------ closing

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.post("Browser.close", session=False)
                self.proc.wait(timeout=3)
            except Exception:
                pass
        if self.proc:
            # The renderer and helpers share the browser's process group.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            # Its helpers die with it, but not at once: leave none behind.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.killpg(self.proc.pid, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.02)
            self.proc = None
        for fd in (self.cmd_w, self.rep_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.cmd_w = self.rep_r = -1
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# ------------------------------------------------------------------- PNG

def decode_png(data):
    """(width, height, bpp, rows): rows[y] the bytes of row y, bpp bytes a
    pixel (3: RGB, 4: RGBA).  Only the 8-bit truecolour, non-interlaced
    PNGs Chromium writes."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    i, idat, ihdr = 8, b"", None
    while i < len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        i += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("PNG depth %d colour type %d interlace %d" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(h):
        ftype = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ftype == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 0xff
        elif ftype == 2:
            for x in range(stride):
                line[x] = (line[x] + prev[x]) & 0xff
        elif ftype == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 0xff
        elif ftype == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 0xff
        elif ftype != 0:
            raise ValueError("PNG filter type %d" % ftype)
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows
