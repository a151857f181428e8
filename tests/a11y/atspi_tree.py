#!/usr/bin/python3
"""Reads the app's accessibility tree over AT-SPI, as a screen reader does.

Run inside a private D-Bus session (`dbus-run-session -- tests/a11y/atspi_tree.py
BINARY DIR`): it turns accessibility on (as Orca does), starts the app under
Xvfb with IPT_TRAINER_AUTOPLAY=a11y, and each time the app holds a screen
(DIR/<screen>.ready) writes that screen's tree to DIR/<screen>.tree, one node
per line: depth, role, name, then attributes; and what live regions announce
to DIR/announcements.txt, one announcement per line. Used by
tests/e2e.rs. Needs Debian's at-spi2-core, python3-pyatspi and
gir1.2-atspi-2.0 (scripts/install-deps --test).
"""
import os
import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

SCREENS = ["1-library", "3-session", "4-debrief"]


def enable_accessibility():
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    for prop in ("IsEnabled", "ScreenReaderEnabled"):
        bus.call_sync(
            "org.a11y.Bus",
            "/org/a11y/bus",
            "org.freedesktop.DBus.Properties",
            "Set",
            GLib.Variant("(ssv)", ("org.a11y.Status", prop, GLib.Variant("b", True))),
            None,
            Gio.DBusCallFlags.NONE,
            5000,
            None,
        )


def dump(acc, depth, out, seen):
    if acc is None or depth > 60 or len(out) > 20000:
        return
    try:
        role = acc.getRoleName()
        name = (acc.name or "").replace("\n", " ")
        attrs = acc.getAttributes() or []
    except Exception:  # a node that went away while we read
        return
    key = (role, name, depth)
    seen.add(key)
    extra = " ".join(a for a in attrs if a.startswith(("live", "container-live")))
    out.append(f"{depth}\t{role}\t{name}\t{extra}")
    try:
        count = acc.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        dump(child, depth + 1, out, seen)


def tree():
    import pyatspi

    desktop = pyatspi.Registry.getDesktop(0)
    out = []
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is None:
            continue
        lines = []
        dump(app, 0, lines, set())
        if any("IPT" in line or "ipt" in line for line in lines[:4]) or len(lines) > len(out):
            out = lines
    return out


def pump(seconds):
    """Waits, delivering AT-SPI events meanwhile."""
    context = GLib.MainContext.default()
    end = time.time() + seconds
    while time.time() < end:
        while context.pending():
            context.iteration(False)
        time.sleep(0.05)


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    enable_accessibility()
    import pyatspi

    # What a screen reader would speak unasked: live regions' announcements.
    heard = open(os.path.join(folder, "announcements.txt"), "w", encoding="utf-8")

    def on_announcement(event):
        text = event.any_data if isinstance(event.any_data, str) else str(event.any_data)
        heard.write(text.replace("\n", " ") + "\n")
        heard.flush()

    pyatspi.Registry.registerEventListener(on_announcement, "object:announcement")
    env = dict(os.environ, IPT_TRAINER_AUTOPLAY="a11y")
    app = subprocess.Popen(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", binary, "--autoplay", folder],
        env=env,
    )
    for screen in SCREENS:
        ready = os.path.join(folder, screen + ".ready")
        deadline = time.time() + 240
        while not os.path.exists(ready):
            if app.poll() is not None or time.time() > deadline:
                print(f"the app never showed {screen}", file=sys.stderr)
                app.kill()
                return 1
            pump(0.2)
        # Give the adapter a few frames to publish the screen, then read
        # until the tree stops growing.
        lines, last = [], -1
        for _ in range(20):
            pump(1.0)
            lines = tree()
            if len(lines) == last and len(lines) > 3:
                break
            last = len(lines)
        with open(os.path.join(folder, screen + ".tree"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        open(os.path.join(folder, screen + ".done"), "w").close()
    deadline = time.time() + 120
    while app.poll() is None and time.time() < deadline:
        pump(0.2)
    if app.poll() is None:
        app.kill()
        return 1
    heard.close()
    return app.returncode


if __name__ == "__main__":
    sys.exit(main())
