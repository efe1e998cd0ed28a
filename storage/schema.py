"""Every table, in one place: importing this module registers them all in ``SQLModel.metadata``.

Alembic's environment, ``create_all`` in tests and whatever walks every table (key rotation) import
this; nothing else needs to. Each topic's ``tables`` module imports only the column types
(storage/types.py, storage/crypto.py), never another topic's tables: foreign keys name tables by
their SQL name.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from storage import inbox
from storage.channels import tables as channels
from storage.checkins import tables as checkins
from storage.circles import tables as circles
from storage.console import tables as console
from storage.keys import tables as keys
from storage.outbox import tables as outbox
from storage.people import tables as people
from storage.safety import tables as safety
from storage.sponsors import tables as sponsors

__all__ = ["TABLE_MODULES", "metadata"]

TABLE_MODULES = (people, checkins, safety, outbox, circles, sponsors, keys, inbox, console, channels)
metadata = SQLModel.metadata
