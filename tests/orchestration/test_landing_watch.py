"""The landing sensor's pure helper: which days have new or changed files."""

from __future__ import annotations

import os

from growthmart.landing_watch import changed_partitions, scan_landing


def test_new_and_changed_files_mark_their_days_once(tmp_path):
    day1 = tmp_path / "app_users" / "2026-06-18"
    day1.mkdir(parents=True)
    (day1 / "a.csv").write_text("x")
    (tmp_path / "app_users" / "not-a-day").mkdir()
    days, cursor = changed_partitions(scan_landing(tmp_path, ["app_users", "fx_rates"]), None)
    assert days == ["2026-06-18"]
    assert changed_partitions(scan_landing(tmp_path, ["app_users"]), cursor)[0] == []
    day2 = tmp_path / "app_users" / "2026-06-19"
    day2.mkdir()
    (day2 / "b.csv").write_text("y")
    (day1 / "a.csv").write_text("changed!")
    os.utime(day1 / "a.csv", ns=(1, 1))
    days, _ = changed_partitions(scan_landing(tmp_path, ["app_users"]), cursor)
    assert days == ["2026-06-18", "2026-06-19"]


def test_a_removed_file_marks_its_day(tmp_path):
    day = tmp_path / "app_users" / "2026-06-18"
    day.mkdir(parents=True)
    (day / "a.csv").write_text("x")
    (day / "b.csv").write_text("y")
    _, cursor = changed_partitions(scan_landing(tmp_path, ["app_users"]), None)
    (day / "b.csv").unlink()
    assert changed_partitions(scan_landing(tmp_path, ["app_users"]), cursor)[0] == ["2026-06-18"]
