"""The few periodic pumps. Scheduled work is data (due times in rows), so these jobs only
ask "what is due now?"; a restart or a second worker changes nothing.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from bot.blocking import run_blocking
from bot.runtime import Saathi

log = logging.getLogger(__name__)

DUE_SCAN_SECONDS = 30
HOUSEKEEPING_SECONDS = 3600


async def due_scan_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline on SQLite, in a worker thread on PostgreSQL (``bot/blocking.py``): a scan of a thousand
    due members takes a second or more of database work. The sender is kicked from the loop."""
    saathi: Saathi = context.bot_data["saathi"]
    done = await run_blocking(saathi.services.uow, saathi.run_due_work, kick=False)
    if any(done.values()):
        saathi.kick()


async def housekeeping_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    saathi: Saathi = context.bot_data["saathi"]
    await run_blocking(saathi.services.uow, saathi.housekeeping)


def add_jobs(application: Application, *, due_scan_seconds: float = DUE_SCAN_SECONDS) -> None:
    """``due_scan_seconds`` comes from ``SAATHI_DUE_SCAN_SECONDS`` (tests scan every second)."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    # misfire_grace_time: a late run is still a run (APScheduler skips jobs >1 s late by default).
    options = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
    job_queue.run_repeating(due_scan_job, interval=due_scan_seconds, first=1, name="due_scan", job_kwargs=options)
    job_queue.run_repeating(
        housekeeping_job, interval=HOUSEKEEPING_SECONDS, first=60, name="housekeeping", job_kwargs=options
    )
