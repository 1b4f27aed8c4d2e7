"""A run's asset-check evaluations and their outcomes, as the end-of-run summary (orchestration/run_summary.py)
and the report asset's run record (assets/publish/html_reports.py) both count them."""

import dagster as dg


def check_outcomes(evaluations) -> tuple[list, list, list]:
    """(passed, failed, warned) asset-check evaluations: failed = an ERROR-severity check did not pass."""
    passed = [e for e in evaluations if e.passed]
    failed = [e for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    warned = [e for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.WARN]
    return passed, failed, warned


def check_name(evaluation) -> str:
    return f"{evaluation.asset_key.to_user_string()} / {evaluation.check_name}"


def run_check_evaluations(instance: dg.DagsterInstance, run_id: str) -> list:
    """The asset-check evaluations a run has logged so far (what `result.get_asset_check_evaluations()` gives
    after an in-process run), read from the instance's event log: available inside a running asset."""
    entries = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    return [e.dagster_event.asset_check_evaluation_data for e in entries if e.dagster_event]
