{#- column <= other_column on every row where both are known (e.g. clicks <= impressions,
    refund <= amount). -#}
{% test not_greater_than(model, column_name, other_column) %}

select
    {{ column_name }},
    {{ other_column }}
from {{ model }}
where {{ column_name }} > {{ other_column }}

{% endtest %}
