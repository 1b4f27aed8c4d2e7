{#- Amount in var('reporting_currency') (CNY): amount x that day's rate (CNY per 1 unit), rounded to 4 decimals.
    Amounts already in CNY pass through unchanged; a missing rate gives NULL (caught by not_null tests)
    rather than a guessed rate. -#}
{% macro to_cny(amount, currency, rate_to_cny) -%}
    cast(
        case
            when {{ currency }} = '{{ var("reporting_currency") }}' then {{ amount }}
            else {{ amount }} * {{ rate_to_cny }}
        end as decimal(18, 4)
    )
{%- endmacro %}
