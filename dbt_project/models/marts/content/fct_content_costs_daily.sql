-- What each owned content item cost per day, in CNY: every non-ad cost carrying its content_id, split into
-- production and paid boosts (content_boost: DOU+, 薯条); content_cost_cny is the total of all cost types.
-- Grain: content_id, cost_date.
-- Incremental: whole days (delete+insert by cost_date) from the earliest cost day landed in the partition
-- window on.

{%- set changed_inputs = [(ref('stg_reference__non_ad_costs'), 'cost_date')] %}

{{ config(**incremental_by_day('cost_date')) }}

with

stg_reference__non_ad_costs as (

    select * from {{ ref('stg_reference__non_ad_costs') }}
    where content_id is not null
    {% if is_incremental() -%}
        and cost_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

final as (

    select
        content_id,
        cast(sum(case when cost_type = 'production' then amount_cny else 0 end) as decimal(18, 4))
            as production_cost_cny,
        cast(sum(case when cost_type = 'content_boost' then amount_cny else 0 end) as decimal(18, 4))
            as boost_cost_cny,
        cast(sum(amount_cny) as decimal(18, 4)) as content_cost_cny,
        cost_date
    from stg_reference__non_ad_costs
    group by content_id, cost_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
