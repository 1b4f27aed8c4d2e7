{#- dbt reads the model of every generic data test through get_where_subquery (it applies the `where` config).
    This override also scopes the tests of incremental models in a run with a partition window (the nightly run,
    a backfill) to the rows that run wrote, `dbt_built_at = built_at()`, so a night's tests cost in proportion to
    the night's data, not to the history. Full builds (no window) test every row, as before.

    What is scoped, by test (anything not listed is never scoped, e.g. row counts against another table):
      row-level tests (not_null, accepted_values, relationships — the child side —, not_greater_than,
      between_zero_and_one, row_checks, not_null_columns): the rows written by this run;
      unique, unique_combination_of_columns: every row sharing its (first) key column with a row written by this
      run, so a new row that duplicates an old one is still caught.
    A view (not incremental, recomputed on read) is scoped the same way when its config meta names a landing-day
    column, `growthmart_test_window_column`: the rows landed in the run's window, lookback included.
    Models opt out with config meta `growthmart_full_tests: true`. See DECISIONLOG "dbt: the run window as data,
    and tests in nightly runs". -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = nightly_test_scope(relation) -%}
    {%- set conditions = [] -%}
    {%- if where %}{% do conditions.append('(' ~ where ~ ')') %}{% endif -%}
    {%- if scope %}{% do conditions.append(scope) %}{% endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}


{#- The nightly scope of the current test (see default__get_where_subquery), or '' for "every row". -#}
{% macro nightly_test_scope(relation) -%}
    {%- set row_level = ['not_null', 'accepted_values', 'relationships', 'not_greater_than', 'between_zero_and_one',
                         'row_checks', 'not_null_columns'] -%}
    {%- set keyed = ['unique', 'unique_combination_of_columns'] -%}
    {%- if not execute or model.resource_type != 'test' or not model.test_metadata -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if tested is none or tested.config.meta.get('growthmart_full_tests', false) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set first_day = window_first_landing_day() -%}
    {%- if first_day is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set window_column = tested.config.meta.get('growthmart_test_window_column') -%}
    {%- if tested.config.materialized == 'incremental' -%}
        {%- set written = 'dbt_built_at = ' ~ built_at() -%}
    {%- elif window_column -%}
        {#- a view over incremental models: the rows landed in the run's window (lookback included) -#}
        {%- set written = window_column ~ " >= cast('" ~ first_day ~ "' as date)" -%}
    {%- else -%}
        {{ return('') }}
    {%- endif -%}
    {%- set test_name = model.test_metadata.name -%}
    {%- set kwargs = model.test_metadata.kwargs -%}
    {%- if test_name in row_level -%}
        {{ return(written) }}
    {%- elif test_name in keyed -%}
        {%- set key = kwargs.get('column_name') if test_name == 'unique' else kwargs.get('combination_of_columns')[0] -%}
        {{ return(key ~ ' in (select ' ~ key ~ ' from ' ~ relation ~ ' where ' ~ written ~ ')') }}
    {%- else -%}
        {{ return('') }}
    {%- endif -%}
{%- endmacro %}
