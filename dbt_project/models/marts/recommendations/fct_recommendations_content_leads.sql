-- Recommendation rules `content_topic_leads` and `content_platform_leads` (seeds recommendation_rules,
-- recommendation_rule_parameters; docs/metrics.md#rpt_recommendations), judged at data end over the last
-- `lookback_days` days up to it: a content topic (or platform) whose cost per lead - content cost / leads, as
-- rpt_content_daily's cost_per_lead: costs of fct_content_costs_daily, leads of fct_content_daily, CNY - is at most
-- `max_cost_ratio` times the cost per lead of all other topics (platforms) together, with at least `min_leads` leads.
-- Without cost or without leads there is no cost per lead (NULL, as in the content reports), so a group whose
-- leads cost nothing, or whose others bring no leads, never fires. Grain: report_date, rule_id, subject.

{%- set groupings = [('content_topic_leads', 'topic'), ('content_platform_leads', 'channel')] %}

with

parameters as (

    {{ recommendation_parameters(
        groupings | map('first') | list, numbers=['lookback_days', 'max_cost_ratio', 'min_leads']
    ) }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

dim_content as (

    select * from {{ ref('dim_content') }}

),

fct_content_daily as (

    select * from {{ ref('fct_content_daily') }}

),

fct_content_costs_daily as (

    select * from {{ ref('fct_content_costs_daily') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

item_days as (

    -- leads and costs of each item day, each rule's window apart (its own lookback_days)
    select
        parameters.rule_id,
        fct_content_daily.content_id,
        fct_content_daily.leads,
        0 as content_cost_cny
    from fct_content_daily
    cross join parameters
    cross join data_end
    where
        {{ days_between('fct_content_daily.stat_date', 'data_end.data_end_date') }} < parameters.lookback_days
        and fct_content_daily.stat_date <= data_end.data_end_date

    union all

    select
        parameters.rule_id,
        fct_content_costs_daily.content_id,
        0 as leads,
        fct_content_costs_daily.content_cost_cny
    from fct_content_costs_daily
    cross join parameters
    cross join data_end
    where
        {{ days_between('fct_content_costs_daily.cost_date', 'data_end.data_end_date') }} < parameters.lookback_days
        and fct_content_costs_daily.cost_date <= data_end.data_end_date

),

groups as (

    {%- for rule_id, column in groupings %}

        select
            item_days.rule_id,
            dim_content.{{ column }} as subject,
            sum(item_days.leads) as leads,
            sum(item_days.content_cost_cny) as content_cost_cny
        from item_days
        inner join dim_content
            on item_days.content_id = dim_content.content_id
        where item_days.rule_id = '{{ rule_id }}' and dim_content.{{ column }} is not null
        group by item_days.rule_id, dim_content.{{ column }}
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

compared as (

    select
        groups.*,
        sum(groups.leads) over (partition by groups.rule_id) - groups.leads as others_leads,
        sum(groups.content_cost_cny) over (partition by groups.rule_id) - groups.content_cost_cny
            as others_content_cost_cny,
        {{ safe_divide('nullif(groups.content_cost_cny, 0)', 'groups.leads') }} as cost_per_lead
    from groups

),

measured as (

    select
        *,
        {{ safe_divide('nullif(others_content_cost_cny, 0)', 'others_leads') }} as others_cost_per_lead
    from compared

),

final as (

    select
        data_end.data_end_date as report_date,
        measured.rule_id,
        measured.subject,
        measured.subject as subject_name,
        cast(null as {{ dbt.type_string() }}) as target_id,
        cast(null as {{ dbt.type_string() }}) as target_name,
        cast(null as {{ dbt.type_string() }}) as detail,
        case when measured.rule_id = 'content_platform_leads' then measured.subject end as platform,
        {{ recommendation_evidence([
            ('cost_per_lead', 'measured.cost_per_lead', 'cny_cents'),
            ('others_cost_per_lead', 'measured.others_cost_per_lead', 'cny_cents'),
            ('cost_ratio', safe_divide('measured.cost_per_lead', 'measured.others_cost_per_lead'), 'rate'),
            ('leads', 'measured.leads', 'count'),
            ('content_cost_cny', 'measured.content_cost_cny', 'cny'),
            ('lookback_days', 'parameters.lookback_days', 'count'),
        ]) }},
        {{ dbt.concat([
            "'rpt_content_daily: '",
            "case when measured.rule_id = 'content_platform_leads' then 'platform ' else 'topic ' end",
            'measured.subject', "' against the others, '",
            'cast(cast(' ~ dbt.dateadd('day', '1 - cast(parameters.lookback_days as integer)', 'data_end.data_end_date')
            ~ ' as date) as ' ~ dbt.type_string() ~ ')',
            "'..'", 'cast(data_end.data_end_date as ' ~ dbt.type_string() ~ ')',
        ]) }} as evidence_keys
    from measured
    cross join data_end
    inner join parameters
        on measured.rule_id = parameters.rule_id
    where
        measured.leads >= parameters.min_leads
        and measured.cost_per_lead <= parameters.max_cost_ratio * measured.others_cost_per_lead

)

select * from final
