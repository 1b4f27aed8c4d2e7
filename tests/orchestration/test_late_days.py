"""Late, restated and removed landing files: which earlier days a run loads again (real loader, real DuckDB)."""

from __future__ import annotations

import os
import time

import duckdb
import pytest

from assets.transform.dbt_assets import window_bounds
from growthmart.contracts import CONTRACTS
from growthmart.ingest import load_partitions
from growthmart.landing_watch import CHANGE_MARGIN, changed_days
from orchestration.run_summary import days_without_files

FX = next(c for c in CONTRACTS if c.name == "fx_rates")
HEADER = "rate_date,currency,rate_to_cny\n"


def write(landing, day: str, name: str, rate: str = "0.92", currency: str = "HKD") -> None:
    folder = landing / "fx_rates" / day
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"{HEADER}{day},{currency},{rate}\n")


@pytest.fixture
def loaded(tmp_path):
    """Days 05-01..05-03 landed and loaded; the connection and the landing folder."""
    landing = tmp_path / "landing"
    for day in ("2026-05-01", "2026-05-02", "2026-05-03"):
        write(landing, day, "fx.csv", rate=f"0.9{day[-1]}")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("set TimeZone = 'UTC'")  # loaded_at is naive UTC, as in the pipeline
    load_partitions(con, FX, landing, ["2026-05-01", "2026-05-02", "2026-05-03"], run_id="r1")
    yield con, landing
    con.close()


def summary(changes):
    return [(c.day, c.added, c.changed, c.removed) for c in changes]


def test_nothing_changed_nothing_to_load(loaded):
    con, landing = loaded
    assert changed_days(con, FX, landing, before="2026-05-04") == []


def test_a_late_file_a_restated_file_and_a_removed_file_each_mark_their_day(loaded):
    con, landing = loaded
    write(landing, "2026-05-01", "fx_late.csv", rate="7.1", currency="USD")  # a late file
    write(landing, "2026-05-02", "fx.csv", rate="0.99")  # restated: same name, other content
    (landing / "fx_rates" / "2026-05-03" / "fx.csv").unlink()  # removed: its rows must leave raw
    changes = changed_days(con, FX, landing, before="2026-05-04")
    assert summary(changes) == [
        ("2026-05-01", ("fx_rates/2026-05-01/fx_late.csv",), (), ()),
        ("2026-05-02", (), ("fx_rates/2026-05-02/fx.csv",), ()),
        ("2026-05-03", (), (), ("fx_rates/2026-05-03/fx.csv",)),
    ]
    assert "removed" in changes[2].describe() and "leave raw" in changes[2].describe()
    # days on or after `before` are the run's own, not late
    assert [c.day for c in changed_days(con, FX, landing, before="2026-05-02")] == ["2026-05-01"]
    # loading them again makes them current; the removed file's rows are gone from raw
    load_partitions(con, FX, landing, [c.day for c in changes], run_id="r2")
    assert changed_days(con, FX, landing, before="2026-05-04") == []
    assert (
        con.execute("select count(*) from raw.fx_rates where _partition_date = '2026-05-03'").fetchone()[0]
        == 0
    )


def test_a_never_loaded_day_is_late_and_a_missing_folder_is_not(loaded):
    con, landing = loaded
    write(landing, "2026-04-30", "fx.csv", rate="0.90")  # landed before the first day ever run
    import shutil

    shutil.rmtree(landing / "fx_rates" / "2026-05-02")  # archived: what was loaded from it stays
    assert summary(changed_days(con, FX, landing, before="2026-05-04")) == [
        ("2026-04-30", ("fx_rates/2026-04-30/fx.csv",), (), ())
    ]
    assert summary(changed_days(con, FX, landing, "2026-05-04", valid_days={"2026-05-01"})) == []


def test_a_file_changed_after_its_load_is_read_again_even_with_its_mtime_set_back(loaded):
    con, landing = loaded
    path = landing / "fx_rates" / "2026-05-01" / "fx.csv"
    path.write_text(HEADER + "2026-05-01,HKD,0.50\n")
    old = time.time() - 1e6
    os.utime(path, (old, old))  # e.g. `cp -p` / `mv` of an old export: mtime lies, ctime (now) does not
    assert [c.day for c in changed_days(con, FX, landing, before="2026-05-04")] == ["2026-05-01"]
    # a file whose inode last changed more than CHANGE_MARGIN before its load is what was loaded: not read again
    con.execute("update raw.load_log set loaded_at = loaded_at + ?", [CHANGE_MARGIN * 2])
    assert changed_days(con, FX, landing, before="2026-05-04") == []


def test_the_dbt_window_starts_at_the_earliest_day_loaded_since_the_last_publication():
    assert window_bounds(["2026-05-14"]) == ("2026-05-14", "2026-05-14")
    assert window_bounds(["2026-05-14"], loaded_days=["2026-05-09", "2026-05-14"]) == (
        "2026-05-09",
        "2026-05-14",
    )
    assert window_bounds(["2026-05-14"], full_refresh=True, loaded_days=["2026-05-09"]) is None
    assert window_bounds([], loaded_days=["2026-05-09"]) is None


def test_the_summary_says_which_run_days_have_no_landing_file(tmp_path):
    write(tmp_path, "2026-05-01", "fx.csv")
    (tmp_path / "app_events" / "2026-05-02").mkdir(parents=True)  # an empty folder
    (tmp_path / "app_events" / "2026-05-02" / ".partial").write_text("")  # hidden files are not landing files
    lines = days_without_files(["2026-05-01", "2026-05-02", "2026-05-03"], tmp_path)
    assert [line.split(" (")[0] for line in lines] == [
        "NO LANDING FILES for 2026-05-02",
        "NO LANDING FILES for 2026-05-03",
    ]
    assert "empty folder(s) app_events" in lines[0] and "no folder in any source" in lines[1]
