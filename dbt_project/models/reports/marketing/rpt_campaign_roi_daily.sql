-- Campaign return per day: spend (ad + non-ad costs, CNY) against delivery and last-touch attributed
-- signups, orders and net revenue. Platform conversions are shown apart: each platform claims its own
-- and they do not add up. Grain: report_date, campaign_id.

with

fct_campaign_performance_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

report_rows as (

    select
        report_date,
        campaign_id,
        platform,
        channel,
        {{ campaign_roi_measures() }}
    from fct_campaign_performance_daily

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'platform', 'channel': 'channel'}, campaign_id='campaign_id') }}

)

select * from final
