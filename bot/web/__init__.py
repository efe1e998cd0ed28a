"""The web console for counsellors and centre admins (issue 17): Starlette, Jinja2 and htmx,
served by uvicorn inside the bot's process (``saathi run``, or ``--role web`` alone).

An entry point beside ``handlers/``: pages read through storage queries in a thread and change
things only through the same services the Telegram handlers call. ``app.py`` builds the app,
``auth.py`` signs people in and checks roles and CSRF, ``templating.py`` renders pages, and each
module named in ``pages.PAGES`` adds its routes.
"""
