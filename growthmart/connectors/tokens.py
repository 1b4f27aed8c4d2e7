"""A platform's OAuth token pair, kept where a crash cannot lose it.

Ocean Engine (and other OAuth2 platforms) rotate the refresh token on every refresh: the old one stops working
the moment the new pair is issued. The pair is therefore written atomically (temp file, fsync, rename, mode 0600)
to `<data>/connector_state/<source>.json` right after the refresh answer arrives and before it is used; it is
seeded from the environment variables on first use. It is never written to landing/ or the warehouse.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from growthmart.connectors.errors import NotConfigured
from growthmart.connectors.files import atomic_write

STATE_FOLDER = "connector_state"


def state_path(data_dir: Path | str, source: str) -> Path:
    return Path(data_dir) / STATE_FOLDER / f"{source}.json"


class TokenStore:
    """The current {access_token, refresh_token} of one source: the persisted pair, else the environment's."""

    def __init__(self, path: Path, seed: dict[str, str | None], seed_vars: dict[str, str]):
        self.path = Path(path)
        self._seed, self._seed_vars = seed, seed_vars  # key -> value, key -> the variable it came from

    def load(self) -> dict[str, str]:
        if self.path.exists():
            return json.loads(self.path.read_text())
        missing = [self._seed_vars[k] for k, v in self._seed.items() if not v]
        if missing:
            raise NotConfigured(
                f"set {', '.join(missing)} (the first token pair; later pairs are kept in {self.path})"
            )
        return dict(self._seed)  # type: ignore[arg-type]

    def save(self, pair: dict[str, str]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        atomic_write(self.path, json.dumps(pair, sort_keys=True).encode(), mode=0o600)
