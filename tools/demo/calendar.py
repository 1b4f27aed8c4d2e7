"""The demo's calendar: Beijing days as UTC instants, festivals, weekly and intraday rhythms.

Instants are integer UTC epoch seconds; day index i is the Beijing (UTC+8) calendar day `start + i`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from tools.demo.profiles import HOURLY

DAY = 86400
BEIJING_OFFSET = 8 * 3600
EPOCH = dt.date(1970, 1, 1)

# key, name, traffic lift at peak, order lift at peak, ramp-up days, tail days
FESTIVAL_SPECS = (
    ("520", "520告白日", 0.25, 0.35, 5, 1),
    ("618", "618年中大促", 0.70, 1.20, 17, 2),
    ("qixi", "七夕", 0.25, 0.35, 6, 1),
    ("1111", "双11", 0.90, 1.50, 20, 2),
    ("1212", "双12", 0.35, 0.50, 7, 1),
)
FIXED_DATES = {"520": (5, 20), "618": (6, 18), "1111": (11, 11), "1212": (12, 12)}
# Lunar-calendar dates (七夕 = 7th day of the 7th lunar month; Chinese New Year).
QIXI = {2025: (8, 29), 2026: (8, 19), 2027: (8, 8), 2028: (8, 26), 2029: (8, 16), 2030: (8, 5)}
CNY = {2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3)}


@dataclass(frozen=True)
class Festival:
    key: str
    name: str
    year: int
    peak: int  # day index of the festival day (may lie outside the window)
    pre: int
    post: int

    @property
    def first(self) -> int:
        return self.peak - self.pre

    @property
    def last(self) -> int:
        return self.peak + self.post


def _us_dst(d: dt.date) -> bool:
    """US daylight saving time (second Sunday of March to first Sunday of November), at day grain."""
    march = dt.date(d.year, 3, 8)
    nov = dt.date(d.year, 11, 1)
    begin = march + dt.timedelta(days=(6 - march.weekday()) % 7)
    end = nov + dt.timedelta(days=(6 - nov.weekday()) % 7)
    return begin <= d < end


@dataclass
class Calendar:
    start: dt.date
    days: int
    festivals: list[Festival] = field(init=False)

    def __post_init__(self) -> None:
        self.dates = [self.start + dt.timedelta(days=i) for i in range(self.days)]
        self.date_strs = [d.isoformat() for d in self.dates]
        self.t0 = (self.start - EPOCH).days * DAY - BEIJING_OFFSET  # Beijing midnight of day 0, UTC epoch s
        self.t_end = self.t0 + self.days * DAY
        weekday = np.array([d.weekday() for d in self.dates])
        self.weekday = weekday
        self.weekday_factor = np.select([weekday == 4, weekday == 5, weekday == 6], [1.03, 1.12, 1.08], 1.0)
        self.payday = np.array([1.06 if d.day in (10, 15) else 1.0 for d in self.dates])
        self.festivals = self._festivals()
        idx = np.arange(self.days)
        self.traffic_lift = np.ones(self.days)
        self.order_lift = np.ones(self.days)
        for f in self.festivals:
            shape = festival_shape(f, idx)
            spec = next(s for s in FESTIVAL_SPECS if s[0] == f.key)
            self.traffic_lift += spec[2] * shape
            self.order_lift += spec[3] * shape
        for year, (m, d) in CNY.items():  # Chinese New Year: traffic and spend dip, then recover
            k = idx - self.index(dt.date(year, m, d))
            dip = np.where((k >= -3) & (k <= 7), 0.35, np.where((k > 7) & (k <= 14), 0.35 * (14 - k) / 7, 0))
            self.traffic_lift *= 1 - dip
            self.order_lift *= 1 - dip
        # LA UTC offset (hours) per day index, with a margin for events spilling past the window
        self._la_offset = np.array(
            [-7 if _us_dst(self.start + dt.timedelta(days=int(i))) else -8 for i in range(-3, self.days + 15)]
        )

    def index(self, d: dt.date) -> int:
        return (d - self.start).days

    def _festivals(self) -> list[Festival]:
        out = []
        for year in range(self.start.year - 1, self.dates[-1].year + 2):
            for key, name, _t, _o, pre, post in FESTIVAL_SPECS:
                md = QIXI.get(year) if key == "qixi" else FIXED_DATES[key]
                if md is None:
                    continue
                f = Festival(key, name, year, self.index(dt.date(year, *md)), pre, post)
                if f.last >= 0 and f.first < self.days:
                    out.append(f)
        return sorted(out, key=lambda f: (f.peak, f.key))

    def bj_day(self, t: np.ndarray) -> np.ndarray:
        """Beijing day index of UTC instants."""
        return (np.asarray(t) - self.t0) // DAY

    def la_start(self, day: np.ndarray) -> np.ndarray:
        """UTC instant of midnight in Los Angeles on calendar day `start + day`."""
        return self.t0 + np.asarray(day) * DAY + BEIJING_OFFSET - self._la_offset[np.asarray(day) + 3] * 3600

    def la_day(self, t: np.ndarray) -> np.ndarray:
        """Los Angeles calendar day index of UTC instants (the Meta ad account's reporting day)."""
        t = np.asarray(t)
        approx = (t - self.t0 - BEIJING_OFFSET) // DAY
        off = self._la_offset[np.clip(approx + 3, 0, len(self._la_offset) - 1)]
        return (t - self.t0 - BEIJING_OFFSET + off * 3600) // DAY

    def seconds_of_day(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Seconds after local midnight following the intraday traffic curve."""
        p = np.asarray(HOURLY) / sum(HOURLY)
        return rng.choice(24, size=n, p=p) * 3600 + rng.integers(0, 3600, size=n)


def festival_shape(f: Festival, idx: np.ndarray) -> np.ndarray:
    """0..1 intensity of a festival per day: quadratic ramp-up to the peak, halving afterwards."""
    k = idx - f.peak
    ramp = 0.3 + 0.7 * ((k + f.pre) / max(f.pre, 1)) ** 2
    return np.where((k >= -f.pre) & (k <= 0), ramp, np.where((k > 0) & (k <= f.post), 0.5**k, 0.0))


def iso_utc(t: np.ndarray) -> list[str]:
    """ISO-8601 UTC strings with a 'Z' for integer epoch seconds."""
    s = np.datetime_as_string(np.asarray(t, dtype="int64").astype("datetime64[s]"), unit="s")
    return [x + "Z" for x in s.tolist()]
