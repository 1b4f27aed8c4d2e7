{#- Body of a CTE: every row of `relation` plus version_rank, 1 for the newest landed version of its key (as
    latest_version_rank). Only keys landed more than once are ranked; the others, nearly all of them, pass
    straight through. That is cheaper than ranking every row, and it keeps the landing order, so a table
    written from it stays clustered by partition_date and DuckDB skips old row groups on day filters. -#}
{% macro latest_versions(relation, key_columns) -%}
    {%- set qualified_keys = [] -%}
    {%- for key in key_columns %}{% do qualified_keys.append('versions.' ~ key) %}{% endfor -%}
    with

    relanded as (

        select {{ key_columns | join(', ') }}
        from {{ relation }}
        group by {{ key_columns | join(', ') }}
        having count(*) > 1

    )

    select
        versions.*,
        1 as version_rank
    from {{ relation }} as versions
    left join relanded
        on
            {%- for key in key_columns %}
            {% if not loop.first %}and {% endif %}versions.{{ key }} = relanded.{{ key }}
            {%- endfor %}
    where relanded.{{ key_columns[0] }} is null

    union all

    select
        versions.*,
        {{ latest_version_rank(qualified_keys) }} as version_rank
    from {{ relation }} as versions
    inner join relanded
        on
            {%- for key in key_columns %}
            {% if not loop.first %}and {% endif %}versions.{{ key }} = relanded.{{ key }}
            {%- endfor %}
{%- endmacro %}
