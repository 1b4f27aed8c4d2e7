{#- Row-level checks of one model in ONE scan (instead of one query per column and check). Returns a row
    per failed check: failed_check names the column and condition, failing_rows how many rows break it
    (dbt counts failures as their sum, so the check's failed_row_count is the number of bad rows).
      not_null:   columns that must not be NULL
      conditions: {name: predicate} every row must satisfy; a NULL predicate passes, as in dbt's own tests
                  (accepted_values, not_greater_than, between_zero_and_one)
      references: [{column, to, field}] like dbt's relationships: every non-NULL column value is in to.field
    Works with a `where` config (nightly scoping): the model is read through dbt's where-subquery. -#}
{% test row_checks(model, not_null=[], conditions={}, references=[]) %}
    {{ config(fail_calc='coalesce(sum(failing_rows), 0)') }}
    {{ growthmart_row_checks_sql(model, not_null, conditions, references) }}
{% endtest %}

{#- The model's columns are never NULL: not_null on several columns in one scan (see row_checks). -#}
{% test not_null_columns(model, columns) %}
    {{ config(fail_calc='coalesce(sum(failing_rows), 0)') }}
    {{ growthmart_row_checks_sql(model, not_null=columns) }}
{% endtest %}
