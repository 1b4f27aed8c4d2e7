-- 舆情事件: negative-sentiment spikes per brand and platform. A day is a spike day when its negative mentions
-- (fct_brand_sentiment_daily: days without mentions are 0) reach var('incident_min_negative') and its robust
-- z = (n - median) / max(1.4826 x MAD, var('incident_min_scale')) reaches var('incident_z'), median and MAD over
-- the previous var('incident_baseline_days') days of the brand on the platform (macros robust_baseline,
-- robust_scale), judged only with at least var('incident_min_history') such days. Spike days at most
-- var('incident_max_gap_days') + 1 days apart form one incident, from its first spike day to its last.
-- Grain: incident_id (brand, platform, start_date).

with

fct_brand_sentiment_daily as (

    select * from {{ ref('fct_brand_sentiment_daily') }}

),

fct_brand_mentions as (

    select * from {{ ref('fct_brand_mentions') }}
    where sentiment_label = 'negative'

),

data_end as (

    select max(report_date) as data_end_date from fct_brand_sentiment_daily

),

history as (

    select
        judged.report_date,
        judged.brand,
        judged.platform,
        past.negative_mentions
    from fct_brand_sentiment_daily as judged
    inner join fct_brand_sentiment_daily as past
        on
            judged.brand = past.brand
            and judged.platform = past.platform
            and judged.report_date > past.report_date
            and {{ days_between('past.report_date', 'judged.report_date') }} <= {{ var('incident_baseline_days') }}

),

baselines as (

    {{ robust_baseline('history', ['report_date', 'brand', 'platform'], 'negative_mentions') }}

),

scored as (

    select
        fct_brand_sentiment_daily.report_date,
        fct_brand_sentiment_daily.brand,
        fct_brand_sentiment_daily.is_own_brand,
        fct_brand_sentiment_daily.platform,
        fct_brand_sentiment_daily.negative_mentions,
        coalesce(baselines.baseline_days, 0) as baseline_days,
        cast(baselines.baseline_median as double) as baseline_median,
        cast(baselines.baseline_mad as double) as baseline_mad,
        {{ robust_scale('baselines.baseline_mad', var('incident_min_scale')) }} as baseline_scale
    from fct_brand_sentiment_daily
    left join baselines
        on
            fct_brand_sentiment_daily.report_date = baselines.report_date
            and fct_brand_sentiment_daily.brand = baselines.brand
            and fct_brand_sentiment_daily.platform = baselines.platform

),

judged as (

    select
        *,
        {{ safe_divide('negative_mentions - baseline_median', 'baseline_scale') }} as robust_z
    from scored

),

spike_days as (

    select * from judged
    where
        negative_mentions >= {{ var('incident_min_negative') }}
        and baseline_days >= {{ var('incident_min_history') }}
        and robust_z >= {{ var('incident_z') }}

),

spike_gaps as (

    select
        *,
        {{ days_between(
            'lag(report_date) over (partition by brand, platform order by report_date)', 'report_date'
        ) }} as days_since_last_spike
    from spike_days

),

spike_incidents as (

    -- a running count of incident starts numbers the incidents of a brand on a platform
    select
        *,
        sum(
            case
                when days_since_last_spike is null or days_since_last_spike > {{ var('incident_max_gap_days') }} + 1
                    then 1
                else 0
            end
        ) over (partition by brand, platform order by report_date rows unbounded preceding) as incident_number
    from spike_gaps

),

incidents as (

    select
        brand,
        platform,
        incident_number,
        {{ dbt.bool_or('is_own_brand') }} as is_own_brand,
        min(report_date) as start_date,
        max(report_date) as end_date,
        count(*) as spike_days,
        max(robust_z) as peak_robust_z
    from spike_incidents
    group by brand, platform, incident_number

),

start_days as (

    select
        incidents.brand,
        incidents.platform,
        incidents.start_date,
        spike_incidents.baseline_median,
        spike_incidents.baseline_mad
    from incidents
    inner join spike_incidents
        on
            incidents.brand = spike_incidents.brand
            and incidents.platform = spike_incidents.platform
            and incidents.start_date = spike_incidents.report_date

),

window_days as (

    -- every day of an incident's window (gap days included) with the window's total, the most negative day first
    -- (ties: the earliest)
    select
        incidents.brand,
        incidents.platform,
        incidents.start_date,
        fct_brand_sentiment_daily.report_date,
        fct_brand_sentiment_daily.negative_mentions,
        sum(fct_brand_sentiment_daily.negative_mentions) over (
            partition by incidents.brand, incidents.platform, incidents.start_date
        ) as window_negative_mentions,
        row_number() over (
            partition by incidents.brand, incidents.platform, incidents.start_date
            order by fct_brand_sentiment_daily.negative_mentions desc, fct_brand_sentiment_daily.report_date asc
        ) as negative_rank
    from incidents
    inner join fct_brand_sentiment_daily
        on
            incidents.brand = fct_brand_sentiment_daily.brand
            and incidents.platform = fct_brand_sentiment_daily.platform
            and fct_brand_sentiment_daily.report_date between incidents.start_date and incidents.end_date

),

window_mentions as (

    -- the negative mentions of an incident's window, the highest reach first (ties: mention_id)
    select
        incidents.brand,
        incidents.platform,
        incidents.start_date,
        fct_brand_mentions.mention_id,
        fct_brand_mentions.created_date,
        fct_brand_mentions.created_at,
        fct_brand_mentions.url,
        fct_brand_mentions.author,
        fct_brand_mentions.reach,
        fct_brand_mentions.mention_text,
        row_number() over (
            partition by incidents.brand, incidents.platform, incidents.start_date
            order by fct_brand_mentions.reach desc, fct_brand_mentions.mention_id asc
        ) as reach_rank
    from incidents
    inner join fct_brand_mentions
        on
            incidents.brand = fct_brand_mentions.brand
            and incidents.platform = fct_brand_mentions.platform
            and fct_brand_mentions.created_date between incidents.start_date and incidents.end_date

),

window_totals as (

    select
        brand,
        platform,
        start_date,
        min(case when created_date = start_date then created_at end) as first_negative_at,
        max(created_at) as last_negative_at,
        sum(reach) as negative_reach,
        {{ json_object_list(
            {
                'mention_id': 'mention_id', 'url': 'url', 'author': 'author', 'reach': 'reach', 'text': 'mention_text'
            },
            'reach_rank',
            'reach_rank <= 3'
        ) }} as top_posts
    from window_mentions
    group by brand, platform, start_date

),

final as (

    select
        md5(
            {{ dbt.concat([
                'incidents.brand', "'|'", 'incidents.platform', "'|'",
                'cast(incidents.start_date as ' ~ dbt.type_string() ~ ')'
            ]) }}
        ) as incident_id,
        incidents.brand,
        incidents.is_own_brand,
        incidents.platform,
        incidents.start_date,
        incidents.end_date,
        window_days.report_date as peak_date,
        cast(incidents.spike_days as integer) as spike_days,
        -- UTC
        window_totals.first_negative_at,
        window_totals.last_negative_at,
        cast(window_days.window_negative_mentions as bigint) as negative_mentions,
        cast(window_days.negative_mentions as bigint) as peak_negative_mentions,
        start_days.baseline_median as baseline_negative_median,
        start_days.baseline_mad,
        cast(incidents.peak_robust_z as double) as peak_robust_z,
        cast(window_totals.negative_reach as bigint) as negative_reach,
        window_totals.top_posts,
        case
            when incidents.peak_robust_z >= {{ var('incident_critical_z') }} then 'critical' else 'warning'
        end as severity,
        case when incidents.end_date = data_end.data_end_date then 'ongoing' else 'ended' end as status
    from incidents
    cross join data_end
    inner join start_days
        on
            incidents.brand = start_days.brand
            and incidents.platform = start_days.platform
            and incidents.start_date = start_days.start_date
    inner join window_days
        on
            incidents.brand = window_days.brand
            and incidents.platform = window_days.platform
            and incidents.start_date = window_days.start_date
            and window_days.negative_rank = 1
    inner join window_totals
        on
            incidents.brand = window_totals.brand
            and incidents.platform = window_totals.platform
            and incidents.start_date = window_totals.start_date

)

select * from final
