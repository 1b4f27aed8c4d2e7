"""Secrets never leave the process: every message, URL and landed byte passes through one `Redactor`."""

from __future__ import annotations

import re

REDACTED = "<redacted>"
# Query parameters that carry credentials on some platform (Tencent's and Meta's access_token, OAuth secrets).
SECRET_PARAMS = re.compile(
    r"\b((?:access_token|refresh_token|client_secret|secret|token|accessToken|password)=)[^&\s\"']+",
    re.IGNORECASE,
)


class Redactor:
    """Replaces every known secret value, and any credential-looking query parameter, by `<redacted>`."""

    def __init__(self, secrets=()):
        self._secrets: set[str] = set()
        for s in secrets:
            self.add(s)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:  # a 1-3 character "secret" would redact ordinary text
            self._secrets.add(secret)

    def text(self, value: object) -> str:
        out = str(value)
        for s in sorted(self._secrets, key=len, reverse=True):
            out = out.replace(s, REDACTED)
        return SECRET_PARAMS.sub(lambda m: m.group(1) + REDACTED, out)

    def bytes(self, data: bytes) -> bytes:
        """A response body as it may be landed: known secrets and credential query parameters removed (Meta's
        `paging.next` URL carries the access token)."""
        if not self._secrets and not SECRET_PARAMS.search(data.decode("utf-8", "replace")):
            return data
        return self.text(data.decode("utf-8")).encode("utf-8")
