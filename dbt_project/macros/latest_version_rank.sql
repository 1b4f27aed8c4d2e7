{#- 1 for the newest landed version of a key: raw keeps every partition's rows, and a key can land again
    in a later partition (late events, re-pulled ad days, a refunded order, the daily registry snapshot). -#}
{% macro latest_version_rank(key_columns) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by _partition_date desc, _loaded_at desc, _row_number desc
    )
{%- endmacro %}
