-- Campaign return over the campaign's whole life (all days up to data end): the same measures as
-- rpt_campaign_roi_daily, ratios recomputed from the summed numerators. Grain: campaign_id.

with

fct_campaign_performance_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

lifetime as (

    select
        campaign_id,
        platform,
        channel,
        {{ campaign_roi_numerators() }},
        min(report_date) as first_date,
        max(report_date) as last_date
    from fct_campaign_performance_daily
    group by campaign_id, platform, channel

),

report_rows as (

    select
        campaign_id,
        platform,
        channel,
        {{ campaign_roi_measures() }},
        first_date,
        last_date
    from lifetime

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'platform', 'channel': 'channel'}, campaign_id='campaign_id') }}

)

select * from final
