-- Recommendation rule `budget_shift` (seeds recommendation_rules, recommendation_rule_parameters; docs/metrics.md
-- #rpt_recommendations): on each day D of the last `history_days` days up to data end, a source campaign whose
-- 7-day ROAS (attributed revenue / spend over D-6..D) is below `source_max_roas` and whose 7-day CAC (spend /
-- attributed signups) rose by at least `source_min_cac_increase` on the 7 days before (D-13..D-7), having spent at
-- least `source_min_spend_cny` in both weeks, is paired with the target campaign of the highest 7-day ROAS above
-- `target_min_roas` (ties: the lower campaign_id) that is under its budget pace on D (fct_campaign_pacing
-- pace_ratio < `target_max_pace_ratio`). Spend, revenue and signups are rpt_campaign_roi_daily's
-- (fct_campaign_performance_daily); a week without signups has no CAC and a week without spend no ROAS, so neither
-- fires. Campaigns without a flight and a budget are never paced, so never a target.
-- Grain: report_date, subject (the source campaign).

{%- set window_days = 7 %}

with

parameters as (

    {{ recommendation_parameters(
        ['budget_shift'],
        numbers=['history_days', 'source_max_roas', 'source_min_cac_increase', 'source_min_spend_cny',
            'target_min_roas', 'target_max_pace_ratio']
    ) }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

dim_campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

fct_campaign_performance_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

fct_campaign_pacing as (

    select * from {{ ref('fct_campaign_pacing') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

report_dates as (

    select
        parameters.*,
        dim_dates.date_day as report_date,
        cast({{ dbt.dateadd('day', -(window_days - 1), 'dim_dates.date_day') }} as date) as week_start,
        cast({{ dbt.dateadd('day', -(2 * window_days - 1), 'dim_dates.date_day') }} as date) as previous_week_start
    from dim_dates
    cross join data_end
    cross join parameters
    where {{ days_between('dim_dates.date_day', 'data_end.data_end_date') }} < parameters.history_days

),

weeks as (

    -- each campaign's sums over the week up to the report date and the week before it
    select
        report_dates.report_date,
        fct_campaign_performance_daily.campaign_id,
        sum(case
            when fct_campaign_performance_daily.report_date >= report_dates.week_start
                then fct_campaign_performance_daily.spend_cny
        end) as spend_cny,
        sum(case
            when fct_campaign_performance_daily.report_date >= report_dates.week_start
                then fct_campaign_performance_daily.attributed_revenue_cny
        end) as attributed_revenue_cny,
        sum(case
            when fct_campaign_performance_daily.report_date >= report_dates.week_start
                then fct_campaign_performance_daily.attributed_signups
        end) as attributed_signups,
        sum(case
            when fct_campaign_performance_daily.report_date < report_dates.week_start
                then fct_campaign_performance_daily.spend_cny
        end) as previous_spend_cny,
        sum(case
            when fct_campaign_performance_daily.report_date < report_dates.week_start
                then fct_campaign_performance_daily.attributed_signups
        end) as previous_attributed_signups
    from report_dates
    inner join fct_campaign_performance_daily
        on
            report_dates.previous_week_start <= fct_campaign_performance_daily.report_date
            and report_dates.report_date >= fct_campaign_performance_daily.report_date
    group by report_dates.report_date, fct_campaign_performance_daily.campaign_id

),

measured as (

    select
        *,
        {{ safe_divide('attributed_revenue_cny', 'spend_cny') }} as roas,
        {{ safe_divide('nullif(spend_cny, 0)', 'attributed_signups') }} as cac,
        {{ safe_divide('nullif(previous_spend_cny, 0)', 'previous_attributed_signups') }} as previous_cac
    from weeks

),

sources as (

    select
        measured.*,
        {{ safe_divide('measured.cac', 'measured.previous_cac') }} - 1 as cac_change
    from measured
    cross join parameters
    where
        measured.roas < parameters.source_max_roas
        and measured.spend_cny >= parameters.source_min_spend_cny
        and measured.previous_spend_cny >= parameters.source_min_spend_cny
        and {{ safe_divide('measured.cac', 'measured.previous_cac') }} - 1 >= parameters.source_min_cac_increase

),

targets as (

    select
        measured.report_date,
        measured.campaign_id,
        measured.roas,
        fct_campaign_pacing.campaign_name,
        fct_campaign_pacing.pace_ratio,
        fct_campaign_pacing.budget_cny - fct_campaign_pacing.spend_to_date_cny as budget_left_cny,
        row_number() over (
            partition by measured.report_date
            order by measured.roas desc, measured.campaign_id asc
        ) as target_rank
    from measured
    cross join parameters
    inner join fct_campaign_pacing
        on
            measured.campaign_id = fct_campaign_pacing.campaign_id
            and measured.report_date = fct_campaign_pacing.pacing_date
    where
        measured.roas > parameters.target_min_roas
        and fct_campaign_pacing.pace_ratio < parameters.target_max_pace_ratio

),

final as (

    select
        sources.report_date,
        'budget_shift' as rule_id,
        sources.campaign_id as subject,
        coalesce(dim_campaigns.campaign_name, sources.campaign_id) as subject_name,
        targets.campaign_id as target_id,
        coalesce(targets.campaign_name, targets.campaign_id) as target_name,
        cast(null as {{ dbt.type_string() }}) as detail,
        cast(null as {{ dbt.type_string() }}) as platform,
        {{ recommendation_evidence([
            ('source_roas_7d', 'sources.roas', 'ratio'),
            ('source_cac_7d', 'sources.cac', 'cny_cents'),
            ('source_cac_change', 'sources.cac_change', 'rate'),
            ('target_roas_7d', 'targets.roas', 'ratio'),
            ('target_pace_ratio', 'targets.pace_ratio', 'rate'),
            ('target_budget_left_cny', 'targets.budget_left_cny', 'cny'),
        ]) }},
        {{ dbt.concat([
            "'rpt_campaign_roi_daily: '", 'sources.campaign_id', "' and '", 'targets.campaign_id', "' '",
            'cast(cast(' ~ dbt.dateadd('day', -(2 * window_days - 1), 'sources.report_date') ~ ' as date) as '
            ~ dbt.type_string() ~ ')',
            "'..'", 'cast(sources.report_date as ' ~ dbt.type_string() ~ ')',
            "'; fct_campaign_pacing: '", 'targets.campaign_id', "' '",
            'cast(sources.report_date as ' ~ dbt.type_string() ~ ')',
        ]) }} as evidence_keys
    from sources
    inner join targets
        on
            sources.report_date = targets.report_date
            and sources.campaign_id <> targets.campaign_id
            and targets.target_rank = 1
    left join dim_campaigns
        on sources.campaign_id = dim_campaigns.campaign_id

)

select * from final
