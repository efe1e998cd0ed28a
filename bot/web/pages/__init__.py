"""The console's pages: ``bot/web/app.py`` mounts the ``routes`` of every module named here.

A page module exposes ``routes: list[starlette.routing.BaseRoute]`` and, to appear in the
navigation, ``NAV = ("console-nav-<x>", "/<path>")``; the order here is the navigation's.
"""

PAGES: tuple[str, ...] = ("signin", "alerts", "caseload", "member", "circles", "reports", "setup", "invites", "audit")
