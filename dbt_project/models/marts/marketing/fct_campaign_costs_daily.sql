-- Everything a campaign cost per day, in CNY: ad spend (unified ad table, by the platform's report day)
-- plus non-ad costs (KOL fees, activity incentives, ... by cost day). The one definition of "spend".
-- Grain: campaign_id, cost_date.
-- Incremental: whole days (delete+insert by cost_date) from the earliest ad report day or non-ad cost day
-- landed in the partition window on.

{%- set changed_inputs = [
    (ref('int_ad_performance_unioned'), 'report_date'),
    (ref('stg_reference__non_ad_costs'), 'cost_date'),
] %}

{{ config(**incremental_by_day('cost_date')) }}

with

fct_ad_performance_daily as (

    select * from {{ ref('fct_ad_performance_daily') }}
    {% if is_incremental() -%}
        where report_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

stg_reference__non_ad_costs as (

    select * from {{ ref('stg_reference__non_ad_costs') }}
    {% if is_incremental() -%}
        where cost_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

dim_campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

costs as (

    select
        campaign_id,
        spend_cny as ad_spend_cny,
        cast(0 as decimal(18, 4)) as non_ad_cost_cny,
        report_date as cost_date
    from fct_ad_performance_daily

    union all

    select
        campaign_id,
        cast(0 as decimal(18, 4)) as ad_spend_cny,
        amount_cny as non_ad_cost_cny,
        cost_date
    from stg_reference__non_ad_costs

),

daily as (

    select
        campaign_id,
        cast(sum(ad_spend_cny) as decimal(18, 4)) as ad_spend_cny,
        cast(sum(non_ad_cost_cny) as decimal(18, 4)) as non_ad_cost_cny,
        cost_date
    from costs
    group by campaign_id, cost_date

),

final as (

    select
        daily.campaign_id,
        dim_campaigns.platform,
        dim_campaigns.channel,
        dim_campaigns.campaign_type,
        daily.ad_spend_cny,
        daily.non_ad_cost_cny,
        cast(daily.ad_spend_cny + daily.non_ad_cost_cny as decimal(18, 4)) as spend_cny,
        daily.cost_date
    from daily
    left join dim_campaigns
        on daily.campaign_id = dim_campaigns.campaign_id

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
