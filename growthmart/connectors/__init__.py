"""Connectors: what pulls the sources from where they live and lands them under `landing/<source>/<day>/` for the
loader — the platforms' report APIs and the app database.

One implementation of what every API connector shares (HTTP, paging, retries, token refresh, landing, redaction);
each platform is one spec module in `specs/`. The app database (PostgreSQL) is `app_db.py`.
"""
