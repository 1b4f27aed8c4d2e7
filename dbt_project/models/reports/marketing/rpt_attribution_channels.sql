-- Multi-touch attribution per month, channel and model: attributed orders, revenue and signups (sums of
-- the touches' credits, fct_attribution_channel_daily), the channel's spend that month (the one spend
-- definition, fct_campaign_costs_daily: ad spend + non-ad costs of its campaigns, by cost day, as in
-- rpt_cac_ltv_monthly and rpt_kpi_*) and ROAS. Every channel with a credit or with spend in a month has a row
-- for each model (spend repeats across models; 0 where the channel had no credit or no spend; ROAS NULL
-- without spend). Months up to data end. Grain: attribution_month, channel, attribution_model.
-- A full table on purpose: it re-aggregates the small incremental daily mart (days x channels x 5 models).

with

fct_attribution_channel_daily as (

    select * from {{ ref('fct_attribution_channel_daily') }}

),

fct_campaign_costs_daily as (

    select * from {{ ref('fct_campaign_costs_daily') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

months as (

    -- complete = every day of the month is loaded (as rpt_kpi_monthly's is_complete)
    select
        dim_dates.month_start,
        min(dim_dates.date_day) = dim_dates.month_start
        and max({{ dbt.dateadd('month', 1, 'dim_dates.month_start') }})
        <= max({{ dbt.dateadd('day', 1, 'data_end.data_end_date') }}) as is_complete_month
    from dim_dates
    cross join data_end
    group by dim_dates.month_start

),

attribution_models as (

    {%- for model in attribution_models() %}
        select '{{ model }}' as attribution_model
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

credits as (

    select
        cast({{ dbt.date_trunc('month', 'conversion_date') }} as date) as attribution_month,
        channel,
        attribution_model,
        sum(attributed_orders) as attributed_conversions,
        sum(attributed_revenue_cny) as attributed_revenue,
        sum(attributed_signups) as attributed_signups
    from fct_attribution_channel_daily
    group by {{ dbt.date_trunc('month', 'conversion_date') }}, channel, attribution_model

),

spend as (

    select
        cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as attribution_month,
        channel,
        sum(spend_cny) as spend
    from fct_campaign_costs_daily
    group by {{ dbt.date_trunc('month', 'cost_date') }}, channel

),

spend_by_model as (

    select
        spend.attribution_month,
        spend.channel,
        attribution_models.attribution_model,
        spend.spend
    from spend
    cross join attribution_models
    where spend.spend <> 0

),

joined as (

    select
        coalesce(credits.attribution_month, spend_by_model.attribution_month) as attribution_month,
        coalesce(credits.channel, spend_by_model.channel) as channel,
        coalesce(credits.attribution_model, spend_by_model.attribution_model) as attribution_model,
        coalesce(credits.attributed_conversions, 0) as attributed_conversions,
        coalesce(credits.attributed_revenue, 0) as attributed_revenue,
        coalesce(credits.attributed_signups, 0) as attributed_signups,
        coalesce(spend_by_model.spend, 0) as spend
    from credits
    full outer join spend_by_model
        on
            credits.attribution_month = spend_by_model.attribution_month
            and credits.channel = spend_by_model.channel
            and credits.attribution_model = spend_by_model.attribution_model

),

report_rows as (

    select
        joined.attribution_month,
        joined.channel,
        joined.attribution_model,
        cast(joined.attributed_conversions as decimal(18, 6)) as attributed_conversions,
        cast(joined.attributed_revenue as decimal(18, 4)) as attributed_revenue,
        cast(joined.attributed_signups as decimal(18, 6)) as attributed_signups,
        cast(joined.spend as decimal(18, 4)) as spend,
        {{ safe_divide('joined.attributed_revenue', 'joined.spend') }} as roas,
        -- the channel's share of the month's orders under this model (the shares of a month and model sum to 1)
        {{ safe_divide(
            'joined.attributed_conversions',
            'sum(joined.attributed_conversions) over (partition by joined.attribution_month, joined.attribution_model)'
        ) }} as share_of_conversions,
        coalesce(months.is_complete_month, false) as is_complete_month
    from joined
    cross join data_end
    left join months
        on joined.attribution_month = months.month_start
    where joined.attribution_month <= data_end.data_end_date

),

final as (

    {{ with_code_labels('report_rows', {'channel': 'channel'}) }}

)

select * from final
