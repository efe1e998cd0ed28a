"""Audit (admins): who viewed or changed what, filterable. Routes come with the page itself."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
