-- 异常预警: one row per anomaly the department acts on, on the last var('alert_history_days') days up to data end,
-- each with its severity, what was expected and what was seen, a message in Chinese and English and the daily HTML
-- report page of its day (which shows it at the top). Those of the last var('alert_days') days are `is_recent`:
-- what a run delivers (growthmart/alerts), each once. Kinds: `kpi` (fct_kpi_anomalies), `pacing`
-- (fct_campaign_pacing) and `incident` (our brand's negative-sentiment spikes, fct_brand_incidents, once per
-- incident on the day it starts). Every kind is one CTE of the same columns unioned in `alerts` below: a new kind
-- is one more CTE and one more `union all` there. Data problems (a source late, a blocking check failed) come from the
-- run's outcome, not from dbt: growthmart/alerts adds them to the delivered message (DECISIONLOG "Alerts").
-- Messages name a channel or platform by its label (dim_code_labels), the code itself when it has none.
-- alert_id = md5(kind|metric|subject|day): stable across runs, so an alert is delivered once.
-- Grain: alert_id (kind, metric, subject, alert_date).

{%- set kpis = {
    'new_users': ('新增用户', 'New users', 'count'),
    'gmv': ('GMV', 'GMV', 'cny'),
    'cac': ('获客成本 CAC', 'CAC', 'cny_cents'),
    'd1_retention': ('次日留存率', 'D1 retention', 'rate'),
    'cvr': ('渠道转化率', 'Channel conversion (cvr)', 'rate'),
} %}

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

dim_code_labels as (

    select * from {{ ref('dim_code_labels') }}

),

fct_kpi_anomalies as (

    -- the subject's names for the messages: a channel's labels ('all' stays the blended row)
    select
        fct_kpi_anomalies.*,
        coalesce(subject_labels.label_zh, fct_kpi_anomalies.subject) as subject_zh,
        coalesce(subject_labels.label_en, fct_kpi_anomalies.subject) as subject_en
    from {{ ref('fct_kpi_anomalies') }} as fct_kpi_anomalies
    left join dim_code_labels as subject_labels
        on
            subject_labels.code_type = 'channel'
            and fct_kpi_anomalies.subject = subject_labels.code
    where fct_kpi_anomalies.severity is not null

),

fct_campaign_pacing as (

    select * from {{ ref('fct_campaign_pacing') }}
    where severity is not null

),

fct_brand_incidents as (

    -- ours: a competitor's bad day is competitor watch (rpt_competitor_weekly), not an alarm; with the
    -- platform's names for the messages
    select
        fct_brand_incidents.*,
        coalesce(platform_labels.label_zh, fct_brand_incidents.platform) as platform_zh,
        coalesce(platform_labels.label_en, fct_brand_incidents.platform) as platform_en
    from {{ ref('fct_brand_incidents') }} as fct_brand_incidents
    cross join data_end
    left join dim_code_labels as platform_labels
        on
            platform_labels.code_type = 'social_platform'
            and fct_brand_incidents.platform = platform_labels.code
    where
        fct_brand_incidents.is_own_brand
        -- like the other kinds: the alert history's days only
        and fct_brand_incidents.start_date
        > cast({{ dbt.dateadd('day', -var('alert_history_days'), 'data_end.data_end_date') }} as date)

),

kpi_alerts as (

    {%- for metric, (label_zh, label_en, unit) in kpis.items() %}

        select
            'kpi' as kind,
            metric,
            subject,
            severity,
            alert_date,
            expected_low,
            expected_high,
            observed,
            case when observed > baseline_median then 'high' else 'low' end as direction,
            {{ dbt.concat([
                "'" ~ label_zh ~ "'",
                "case when subject = 'all' then '' else '（' || subject_zh || '）' end",
                "case when observed > baseline_median then '偏高' else '偏低' end",
                "'：'", "cast(alert_date as " ~ dbt.type_string() ~ ")",
                "' 实际 '", alert_value('observed', unit),
                "'，预期 '", alert_value('expected_low', unit), "'–'", alert_value('expected_high', unit),
                "'（前 " ~ var('alert_kpi_baseline_weeks') ~ " 周同星期 '",
                "cast(baseline_days as " ~ dbt.type_string() ~ ")",
                "' 天的中位数 '", alert_value('baseline_median', unit), "'，不含活动日）'",
            ]) }} as message_zh,
            {{ dbt.concat([
                "'" ~ label_en ~ "'",
                "case when subject = 'all' then '' else ' of ' || subject_en end",
                "case when observed > baseline_median then ' unusually high' else ' unusually low' end",
                "' on '", "cast(alert_date as " ~ dbt.type_string() ~ ")",
                "': '", alert_value('observed', unit),
                "' seen, '", alert_value('expected_low', unit), "'–'", alert_value('expected_high', unit),
                "' expected (median '", alert_value('baseline_median', unit), "' of the same weekday on '",
                "cast(baseline_days as " ~ dbt.type_string() ~ ")",
                "' of the previous " ~ var('alert_kpi_baseline_weeks') ~ " weeks, activity days left out)'",
            ]) }} as message_en
        from fct_kpi_anomalies
        where metric = '{{ metric }}'
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

pacing_alerts as (

    select
        'pacing' as kind,
        'budget_pace' as metric,
        campaign_id as subject,
        severity,
        pacing_date as alert_date,
        cast(expected_spend_cny * {{ var('alert_pacing_under') }} as double) as expected_low,
        cast(expected_spend_cny * {{ var('alert_pacing_over') }} as double) as expected_high,
        cast(spend_to_date_cny as double) as observed,
        case when pacing_status = 'over' then 'high' else 'low' end as direction,
        {{ dbt.concat([
            "case when pacing_status = 'over' then '预算消耗过快：' else '预算消耗过慢：' end",
            "coalesce(campaign_name, campaign_id)", "'（'", "campaign_id", "'）截至 '",
            "cast(pacing_date as " ~ dbt.type_string() ~ ")",
            "' 花费 '", alert_value('spend_to_date_cny', 'cny'),
            "'，按排期应为 '", alert_value('expected_spend_cny', 'cny'),
            "'（预算 '", alert_value('budget_cny', 'cny'), "' × 已过 '",
            "cast(elapsed_days as " ~ dbt.type_string() ~ ")", "'/'",
            "cast(flight_days as " ~ dbt.type_string() ~ ")", "' 天），正常区间 '",
            alert_value('expected_spend_cny * ' ~ var('alert_pacing_under'), 'cny'), "'–'",
            alert_value('expected_spend_cny * ' ~ var('alert_pacing_over'), 'cny'),
        ]) }} as message_zh,
        {{ dbt.concat([
            "case when pacing_status = 'over' then 'Budget over-pacing: ' else 'Budget under-pacing: ' end",
            "coalesce(campaign_name, campaign_id)", "' ('", "campaign_id", "') spent '",
            alert_value('spend_to_date_cny', 'cny'), "' by '", "cast(pacing_date as " ~ dbt.type_string() ~ ")",
            "', '", alert_value('expected_spend_cny', 'cny'), "' expected (budget '",
            alert_value('budget_cny', 'cny'), "' x '", "cast(elapsed_days as " ~ dbt.type_string() ~ ")", "'/'",
            "cast(flight_days as " ~ dbt.type_string() ~ ")", "' days elapsed), on track: '",
            alert_value('expected_spend_cny * ' ~ var('alert_pacing_under'), 'cny'), "'–'",
            alert_value('expected_spend_cny * ' ~ var('alert_pacing_over'), 'cny'),
        ]) }} as message_en
    from fct_campaign_pacing

),

incident_alerts as (

    select
        'incident' as kind,
        'negative_mentions' as metric,
        platform as subject,
        start_severity as severity,
        start_date as alert_date,
        cast(0 as double) as expected_low,
        start_spike_threshold as expected_high,
        cast(start_negative_mentions as double) as observed,
        'high' as direction,
        {{ dbt.concat([
            "'负面舆情：'", "brand", "' 在 '", "platform_zh", "' 的负面提及激增：'",
            "cast(start_date as " ~ dbt.type_string() ~ ")",
            "' 负面 '", alert_value('start_negative_mentions', 'count'), "' 条，前 " ~ var('incident_baseline_days')
            ~ " 天日中位数 '", "cast(round(baseline_negative_median, 1) as " ~ dbt.type_string() ~ ")",
            "' 条，达 '", alert_value('ceil(start_spike_threshold)', 'count'), "' 条即为异常（稳健 z '",
            "cast(round(start_robust_z, 1) as " ~ dbt.type_string() ~ ")", "'）'",
        ]) }} as message_zh,
        {{ dbt.concat([
            "'Negative spike: '", "brand", "' on '", "platform_en", "' on '",
            "cast(start_date as " ~ dbt.type_string() ~ ")", "': '",
            alert_value('start_negative_mentions', 'count'), "' negative mentions, daily median '",
            "cast(round(baseline_negative_median, 1) as " ~ dbt.type_string() ~ ")",
            "' over the previous " ~ var('incident_baseline_days') ~ " days, a spike from '",
            alert_value('ceil(start_spike_threshold)', 'count'), "' (robust z '",
            "cast(round(start_robust_z, 1) as " ~ dbt.type_string() ~ ")", "')'",
        ]) }} as message_en
    from fct_brand_incidents

),

alerts as (

    -- every alert kind: one CTE of these columns each
    select * from kpi_alerts
    union all
    select * from pacing_alerts
    union all
    select * from incident_alerts

),

final as (

    select
        md5(
            {{ dbt.concat([
                'alerts.kind', "'|'", 'alerts.metric', "'|'", 'alerts.subject', "'|'",
                'cast(alerts.alert_date as ' ~ dbt.type_string() ~ ')'
            ]) }}
        ) as alert_id,
        alerts.kind,
        alerts.metric,
        alerts.subject,
        alerts.severity,
        alerts.alert_date,
        alerts.expected_low,
        alerts.expected_high,
        alerts.observed,
        alerts.direction,
        alerts.message_zh,
        alerts.message_en,
        alerts.alert_date
        > cast({{ dbt.dateadd('day', -var('alert_days'), 'data_end.data_end_date') }} as date) as is_recent,
        -- the daily HTML report of the alert's day, relative to published/reports/ (growthmart/report)
        {{ dbt.concat(["'daily/'", 'cast(alerts.alert_date as ' ~ dbt.type_string() ~ ')', "'.html'"]) }}
            as report_path
    from alerts
    cross join data_end

)

select * from final
