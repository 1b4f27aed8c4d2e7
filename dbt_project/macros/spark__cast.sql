{#- dbt's cast on Spark (overrides dbt.cast there; the root project's macros come first). Spark has no `varchar`
    without a length: the models' contracts and unit-test fixtures declare `varchar` (DuckDB's name of a string),
    read as Spark's `string`. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ 'string' if type | trim | lower in ('varchar', 'text') else type }})
{%- endmacro %}
