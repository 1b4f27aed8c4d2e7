-- Recommendation rule `ab_winner` (seeds recommendation_rules, recommendation_rule_parameters; docs/metrics.md
-- #rpt_recommendations): an experiment (fct_ab_test_variants, published as rpt_ab_tests) whose winner is a
-- non-control variant with the highest rate of the primary metric, alone (a tie at the top names no winner), a
-- positive lift over the control, a two-proportion test against it with p below `max_p_value` and the sample the
-- team asked for (not is_sample_too_small): keep it, pause every other variant (the control included). Dated on the
-- test's last observed day (observed_through_date: its end, or data end while it runs), within the last
-- `history_days` days up to data end. Grain: report_date, subject (the experiment).

with

parameters as (

    {{ recommendation_parameters(['ab_winner'], numbers=['history_days', 'max_p_value']) }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

fct_ab_test_variants as (

    select * from {{ ref('fct_ab_test_variants') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

rated as (

    select
        *,
        {{ safe_divide('successes', 'trials') }} as rate
    from fct_ab_test_variants

),

ranked as (

    select
        *,
        max(rate) over (partition by experiment_id) as top_rate,
        max(case when is_control then rate end) over (partition by experiment_id) as control_rate
    from rated

),

winners as (

    select ranked.*
    from ranked
    cross join parameters
    cross join data_end
    where
        not ranked.is_control
        and ranked.rate = ranked.top_rate
        and ranked.lift > 0
        and ranked.p_value < parameters.max_p_value
        and not ranked.is_sample_too_small
        and {{ days_between('ranked.observed_through_date', 'data_end.data_end_date') }} < parameters.history_days
        -- alone at the top: no other variant of the experiment has the same rate
        and not exists (
            select 1
            from ranked as tied
            where
                ranked.experiment_id = tied.experiment_id
                and ranked.variant_id <> tied.variant_id
                and ranked.rate = tied.rate
        )

),

losers as (

    select
        ranked.experiment_id,
        count(*) as losers,
        {{ dbt.listagg(
            dbt.concat(['ranked.variant_name', "' ('", 'ranked.variant_id', "')'"]),
            "', '",
            'order by ranked.variant_id'
        ) }} as loser_names,
        {{ dbt.listagg('ranked.variant_id', "', '", 'order by ranked.variant_id') }} as variant_ids
    from ranked
    inner join winners
        on
            ranked.experiment_id = winners.experiment_id
            and ranked.variant_id <> winners.variant_id
    group by ranked.experiment_id

),

final as (

    select
        winners.observed_through_date as report_date,
        'ab_winner' as rule_id,
        winners.experiment_id as subject,
        coalesce(winners.experiment_name, winners.experiment_id) as subject_name,
        winners.variant_id as target_id,
        coalesce(winners.variant_name, winners.variant_id) as target_name,
        losers.loser_names as detail,
        cast(null as {{ dbt.type_string() }}) as platform,
        {{ recommendation_evidence([
            ('p_value', 'winners.p_value', 'p_value'),
            ('lift', 'winners.lift', 'rate'),
            ('winner_rate', 'winners.rate', 'rate'),
            ('control_rate', 'winners.control_rate', 'rate'),
            ('winner_trials', 'winners.trials', 'count'),
            ('losers', 'losers.losers', 'count'),
        ]) }},
        {{ dbt.concat([
            "'rpt_ab_tests: '", 'winners.experiment_id', "' variant '", 'winners.variant_id',
            "' against '", 'losers.variant_ids', "', '", 'winners.primary_metric', "' through '",
            'cast(winners.observed_through_date as ' ~ dbt.type_string() ~ ')',
        ]) }} as evidence_keys
    from winners
    inner join losers
        on winners.experiment_id = losers.experiment_id

)

select * from final
