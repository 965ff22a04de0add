#!/usr/bin/python3
"""What a desktop does to an app, for the end-to-end tests, where there is
no desktop: ask a window to close (as its close button does, with
WM_DELETE_WINDOW), and be the tray's host (a StatusNotifierWatcher, mocked
by python3-dbusmock) to read and click the app's tray menu on D-Bus.

  desktop.py close WINDOW_ID
  desktop.py watcher          (adds the watcher's methods to a running mock)
  desktop.py menu LOGFILE PID     (the registered item's menu, as JSON)
  desktop.py click LOGFILE PID LABEL
"""
import json
import re
import sys

import dbus

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
MOCK = "org.freedesktop.DBus.Mock"


def close(window_id):
    from Xlib import X, display, protocol
    d = display.Display()
    window = d.create_resource_object("window", int(window_id, 0))
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    event = protocol.event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
    window.send_event(event, event_mask=X.NoEventMask)
    d.flush()


def watcher():
    mock = dbus.SessionBus().get_object(WATCHER, "/StatusNotifierWatcher")
    mock.AddMethods(WATCHER, [
        ("RegisterStatusNotifierItem", "s", "", ""),
        ("RegisterStatusNotifierHost", "s", "", ""),
    ], dbus_interface=MOCK)
    mock.AddProperties(WATCHER, {
        "IsStatusNotifierHostRegistered": dbus.Boolean(True),
        "ProtocolVersion": dbus.Int32(0),
        "RegisteredStatusNotifierItems": dbus.Array([], signature="s"),
    }, dbus_interface=MOCK)


def item(log, pid):
    """The registered item: the app's (process `pid`) bus name that serves its path."""
    bus = dbus.SessionBus()
    daemon = bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
    registered = re.findall(r'RegisterStatusNotifierItem "([^"]+)"', open(log).read())
    if not registered:
        raise SystemExit("no item registered")
    path = registered[-1]
    if not path.startswith("/"):
        return bus.get_object(path, "/StatusNotifierItem")
    for name in bus.list_names():
        if not name.startswith(":"):
            continue
        # Asked of the bus itself, so a peer that no longer answers costs nothing.
        try:
            if int(daemon.GetConnectionUnixProcessID(name, dbus_interface="org.freedesktop.DBus")) != int(pid):
                continue
        except dbus.DBusException:
            continue
        try:
            obj = bus.get_object(name, path)
            # Short: a name may belong to a process that no longer answers.
            obj.Get(ITEM, "Id", dbus_interface=dbus.PROPERTIES_IFACE, timeout=2)
            return obj
        except dbus.DBusException:
            continue
    raise SystemExit("no one serves " + path)


def menu(log, pid):
    obj = item(log, pid)
    bus = dbus.SessionBus()
    menu_path = obj.Get(ITEM, "Menu", dbus_interface=dbus.PROPERTIES_IFACE)
    entries = bus.get_object(obj.bus_name, menu_path)
    _, (_, _, children) = entries.GetLayout(0, -1, [], dbus_interface=MENU)
    out = []
    for child in children:
        cid, props, _ = child
        out.append({
            "id": int(cid),
            "label": str(props.get("label", "")).replace("_", ""),
            "type": str(props.get("type", "standard")),
            "enabled": bool(props.get("enabled", True)),
            "visible": bool(props.get("visible", True)),
        })
    return obj, entries, out


def click(log, pid, label):
    _, entries, items = menu(log, pid)
    [target] = [i for i in items if i["label"] == label]
    entries.Event(dbus.Int32(target["id"]), "clicked", dbus.String("", variant_level=1), dbus.UInt32(0), dbus_interface=MENU)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "close":
        close(*args)
    elif command == "watcher":
        watcher()
    elif command == "menu":
        print(json.dumps(menu(*args)[2]))
    elif command == "click":
        click(*args)
    else:
        raise SystemExit(__doc__)
