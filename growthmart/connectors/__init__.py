"""Platform API connectors: pull a day's report pages into landing/<source>/<day>/ for the loader.

One implementation of what every connector shares (HTTP, paging, retries, token refresh, landing, redaction);
each platform is one spec module in `specs/`.
"""
