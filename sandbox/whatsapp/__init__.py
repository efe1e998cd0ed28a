"""Offline WhatsApp: a local Cloud API emulator, the httpx transport pywa reaches it through, and phones.

See :mod:`sandbox.whatsapp.emulator` for what it enforces and :mod:`sandbox.whatsapp.transport` for
how pywa_async is pointed at it.
"""

from __future__ import annotations

from .emulator import CloudApiEmulator
from .errors import GraphError
from .models import ApiCall, InboundMessage, SystemClock, WaMessage, WaUser
from .phones import WhatsAppPhones
from .templates import Template
from .webhooks import SIGNATURE_HEADER, WebhookDelivery, sign, verify_handshake

__all__ = [
    "SIGNATURE_HEADER",
    "ApiCall",
    "CloudApiEmulator",
    "GraphError",
    "InboundMessage",
    "SystemClock",
    "Template",
    "WaMessage",
    "WaUser",
    "WebhookDelivery",
    "WhatsAppPhones",
    "sign",
    "verify_handshake",
]
