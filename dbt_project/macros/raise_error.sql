{#- An expression that fails the query with `message` (an SQL string expression) when evaluated: used where a
    value that must exist is missing, so the model fails loudly instead of computing with NULL. -#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'growthmart')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}
