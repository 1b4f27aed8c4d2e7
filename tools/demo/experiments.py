"""The demo's A/B tests: a creative test on the Ocean Engine acquisition campaign and a landing-page test.

Creative test: three ads of the always-on `dy_acq` campaign become variants A (control), B and C. B has a
clearly higher click-through rate and signup rate, C is A again (a 3 % CTR wobble, no signup lift). Every
variant gets the same traffic weight per impression, so the three are shown about equally often.
Landing-page test: the invite link's visits are split half and half between `share_link` (control) and
`share_link_v2` during the test; the two pages convert alike. Windows are set relative to `days`, so the
21-day test demo and the 200-day default both hold a test. Nothing here draws random numbers: the tests
change how existing ads and sources behave, not how many draws the generator makes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CREATIVE_CAMPAIGN = "dy_acq"  # utm_campaign of the Ocean Engine always-on acquisition campaign
CREATIVE_VARIANTS = (  # variant id, name, CTR multiplier, signup-rate multiplier
    ("A", "原素材(对照)", 1.0, 1.0),
    ("B", "新口播素材", 1.45, 1.7),
    ("C", "原素材换封面", 1.03, 1.0),
)
CREATIVE_WEIGHT = 2.5  # traffic weight of the control ad (a typical ad's is lognormal(0, 0.6))
LANDING_CAMPAIGN = "invite_friends"
LANDING_VARIANTS = (("A", "邀请页-旧版", "share_link"), ("B", "邀请页-新版", "share_link_v2"))
LANDING_MIN_SAMPLE = 300  # visits per page the team wants before reading the result


@dataclass(frozen=True)
class Window:
    first: int  # first day index of the test
    last: int  # last day index (inclusive)


def creative_window(days: int) -> Window:
    """From an eighth of the way in for a third of the period (at least 14 days), inside the window."""
    first = min(max(1, days // 8), days - 1)
    return Window(first, min(days - 1, first + max(13, days // 3)))


def landing_window(days: int) -> Window:
    """From a quarter of the way in to the last day."""
    return Window(min(max(1, days // 4), days - 1), days - 1)


def registry_rows(start: dt.date, days: int, ads) -> list[tuple]:
    """Rows of the experiments registry (contract column order) as they stand at the end of the window."""
    rows = []
    variants = sorted((a for a in ads if a.variant), key=lambda a: a.variant)
    if variants:
        w = creative_window(days)
        for a in variants:
            name = next(n for v, n, *_ in CREATIVE_VARIANTS if v == a.variant)
            rows.append(
                (
                    "exp_dy_acq_creative",
                    "抖音拉新素材测试",
                    "creative",
                    a.variant,
                    name,
                    "true" if a.variant == "A" else "false",
                    "ocean_engine",
                    a.ad_id,
                    "cvr",
                    _iso(start, w.first),
                    _iso(start, w.last),
                    None,
                )
            )
    w = landing_window(days)
    for variant, name, key in LANDING_VARIANTS:
        rows.append(
            (
                "exp_invite_landing",
                "邀请落地页改版",
                "landing_page",
                variant,
                name,
                "true" if variant == "A" else "false",
                None,
                key,
                "cvr",
                _iso(start, w.first),
                _iso(start, w.last),
                str(LANDING_MIN_SAMPLE),
            )
        )
    return rows


def _iso(start: dt.date, day: int) -> str:
    return (start + dt.timedelta(days=day)).isoformat()
