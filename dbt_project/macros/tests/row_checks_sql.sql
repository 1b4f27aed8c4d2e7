{#- SQL of the row_checks / not_null_columns tests (tests/generic/row_checks.sql): one pass over the model
    counting the rows that break each check, then one row per check with failing_rows > 0. The rows are
    filtered on "breaks any check" before counting: on a table DuckDB skips every row group whose statistics
    show no NULL (the 5 not_null checks of stg_app__events: 0.001 s instead of 0.23 s at 10M). -#}
{% macro growthmart_row_checks_sql(model, not_null=[], conditions={}, references=[]) %}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append({'name': 'not_null(' ~ column ~ ')', 'fails': column ~ ' is null'}) -%}
    {%- endfor -%}
    {%- for name, predicate in conditions.items() -%}
        {%- do checks.append({'name': name, 'fails': 'not (' ~ predicate ~ ')'}) -%}
    {%- endfor -%}
    {%- for reference in references -%}
        {%- do checks.append({
            'name': 'relationships(' ~ reference.column ~ ' -> '
                ~ (reference.to.identifier if reference.to.identifier is defined else reference.to)
                ~ '.' ~ reference.field ~ ')',
            'fails': 'tested_rows.' ~ reference.column ~ ' is not null and reference_' ~ loop.index
                ~ '.referenced_value is null'
        }) -%}
    {%- endfor -%}

with

counted as (

    select
        {%- for check in checks %}
            sum(case when {{ check.fails }} then 1 else 0 end) as failed_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from (select * from {{ model }}) as tested_rows
    {%- for reference in references %}
        left join (
            select distinct {{ reference.field }} as referenced_value
            from {{ reference.to }}
        ) as reference_{{ loop.index }}
            on tested_rows.{{ reference.column }} = reference_{{ loop.index }}.referenced_value
    {%- endfor %}
    where
        {%- for check in checks %}
            {% if not loop.first %}or {% endif %}({{ check.fails }})
        {%- endfor %}

)

{% for check in checks %}
    select
        '{{ check.name | replace("'", "''") }}' as failed_check,
        failed_{{ loop.index }} as failing_rows
    from counted
    where failed_{{ loop.index }} > 0
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endmacro %}
