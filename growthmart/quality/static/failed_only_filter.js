// GX's "Failed only" / "Show all" buttons (growthmart/quality/data_docs_offline.py), without the jQuery the page no longer loads.
function _gmToggle(show) {
  document.querySelectorAll('.hide-succeeded-validation-target-child').forEach(function (el) {
    el.parentElement.style.display = show ? '' : 'none'; });
  document.querySelectorAll('.hide-succeeded-validation-target').forEach(function (el) {
    el.style.display = show ? '' : 'none'; });
  document.querySelectorAll('.hide-succeeded-validations-column-section-target-child').forEach(function (el) {
    var section = el.parentElement && el.parentElement.parentElement;
    if (section) { section.style.display = show ? '' : 'none'; } });
}
function showAllValidations() { _gmToggle(true); }
function hideSucceededValidations() { _gmToggle(false); }
