-- Why a KPI moved: exact driver decompositions of the change of four published KPIs (fct_kpis, the body of
-- rpt_kpi_daily / _weekly / _monthly) against the period before (day over day, week over week, month over
-- month): GMV = active buyers x orders per buyer x AOV (3-factor Shapley); new users = sum over channels of visits
-- x signup rate (2-factor Shapley per channel); CAC = spend x (1 / new users), the spend effect allocated to the
-- channels by their change in spend, the volume effect by their change in new users; blended ROAS = sum over
-- platforms of spend share x platform ROAS (mix / rate split at midpoint weights) + unattributed revenue / spend.
-- Every row carries the metric's published value before and now and its change; the contributions of a period
-- and metric add up to the change (dbt test assert_kpi_drivers_sum_to_change). No rows for CAC or blended ROAS
-- where either period has it undefined (NULL: no new users or no spend). Zero conventions and definitions:
-- docs/metrics.md, rpt_kpi_drivers; arithmetic: macro shapley_effect.
-- Grain: period_type, period_start, metric, driver, channel (channel drivers), platform (platform drivers).

{#- (segment column, the mart of its per-period parts, their measures) -#}
{%- set segments = {
    'channel': ('fct_kpi_channel_periods', ['visits', 'new_users', 'spend_cny']),
    'platform': ('fct_kpi_platform_periods', ['spend_cny', 'attributed_revenue_cny']),
} %}
{#- (GMV driver, its factor's columns <factor>_before / <factor>_now in gmv_factors) -#}
{%- set gmv_factors = [
    ('active_buyers', 'buyers'),
    ('orders_per_buyer', 'orders_per_buyer'),
    ('aov', 'aov'),
] %}

with

fct_kpis as (

    select * from {{ ref('fct_kpis') }}

),

fct_kpi_channel_periods as (

    select * from {{ ref('fct_kpi_channel_periods') }}

),

fct_kpi_platform_periods as (

    select * from {{ ref('fct_kpi_platform_periods') }}

),

pairs as (

    -- each period with the one before it: the day before, the week before, the month before
    select
        kpi_now.period as period_type,
        kpi_now.period_start,
        kpi_before.period_start as previous_period_start,
        kpi_before.paying_users as buyers_before,
        kpi_now.paying_users as buyers_now,
        kpi_before.orders as orders_before,
        kpi_now.orders as orders_now,
        kpi_before.gmv as gmv_before,
        kpi_now.gmv as gmv_now,
        kpi_before.new_users as new_users_before,
        kpi_now.new_users as new_users_now,
        kpi_before.spend as spend_before,
        kpi_now.spend as spend_now,
        kpi_before.net_revenue as net_revenue_before,
        kpi_now.net_revenue as net_revenue_now,
        kpi_before.cac as cac_before,
        kpi_now.cac as cac_now,
        kpi_before.blended_roas as blended_roas_before,
        kpi_now.blended_roas as blended_roas_now,
        kpi_now.is_complete and kpi_before.is_complete as is_complete
    from fct_kpis as kpi_now
    inner join fct_kpis as kpi_before
        on
            kpi_now.period = kpi_before.period
            and kpi_before.period_start = case kpi_now.period
                when 'day' then cast({{ dbt.dateadd('day', -1, 'kpi_now.period_start') }} as date)
                when 'week' then cast({{ dbt.dateadd('day', -7, 'kpi_now.period_start') }} as date)
                else cast({{ dbt.dateadd('month', -1, 'kpi_now.period_start') }} as date)
            end

),

gmv_factors as (

    -- a period without orders has no orders per buyer or AOV: it takes the other period's (0 when neither has
    -- orders), so the whole change is the active buyers effect
    select
        *,
        cast(buyers_before as {{ type_double() }}) as buyers_before_factor,
        cast(buyers_now as {{ type_double() }}) as buyers_now_factor,
        {{ safe_divide('orders_before', 'buyers_before') }} as orders_per_buyer_before,
        {{ safe_divide('orders_now', 'buyers_now') }} as orders_per_buyer_now,
        {{ safe_divide('gmv_before', 'orders_before') }} as aov_before,
        {{ safe_divide('gmv_now', 'orders_now') }} as aov_now
    from pairs

),

gmv_drivers as (

    {%- set before = [
        'buyers_before_factor',
        'coalesce(orders_per_buyer_before, orders_per_buyer_now, 0)',
        'coalesce(aov_before, aov_now, 0)',
    ] %}
    {%- set now = [
        'buyers_now_factor',
        'coalesce(orders_per_buyer_now, orders_per_buyer_before, 0)',
        'coalesce(aov_now, aov_before, 0)',
    ] %}
    {%- for driver, factor in gmv_factors %}

        select
            period_type,
            'gmv' as metric,
            '{{ driver }}' as driver,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as {{ dbt.type_string() }}) as platform,
            cast(gmv_before as {{ type_double() }}) as value_before,
            cast(gmv_now as {{ type_double() }}) as value_now,
            cast(gmv_now - gmv_before as {{ type_double() }}) as value_change,
            cast({{ factor }}_before as {{ type_double() }}) as driver_value_before,
            cast({{ factor }}_now as {{ type_double() }}) as driver_value_now,
            {{ shapley_effect(before, now, loop.index0) }} as contribution,
            is_complete,
            period_start,
            previous_period_start
        from gmv_factors
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

{%- for segment, (relation, measures) in segments.items() %}

    {{ segment }}_keys as (

        -- every {{ segment }} with a row in either period of a pair
        select distinct
            pairs.period_type,
            pairs.period_start,
            segment_periods.{{ segment }}
        from pairs
        inner join {{ relation }} as segment_periods
            on
                pairs.period_type = segment_periods.period
                and segment_periods.period_start in (pairs.period_start, pairs.previous_period_start)

    ),

    {{ segment }}_measures as (

        -- its measures in both periods, 0 in a period without a row
        select
            pairs.*,
            {{ segment }}_keys.{{ segment }},
            {%- for measure in measures %}
                coalesce(segment_before.{{ measure }}, 0) as {{ segment }}_{{ measure }}_before,
                coalesce(segment_now.{{ measure }}, 0)
                    as {{ segment }}_{{ measure }}_now{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ segment }}_keys
        inner join pairs
            on
                {{ segment }}_keys.period_type = pairs.period_type
                and {{ segment }}_keys.period_start = pairs.period_start
        left join {{ relation }} as segment_before
            on
                {{ segment }}_keys.period_type = segment_before.period
                and pairs.previous_period_start = segment_before.period_start
                and {{ segment }}_keys.{{ segment }} = segment_before.{{ segment }}
        left join {{ relation }} as segment_now
            on
                {{ segment }}_keys.period_type = segment_now.period
                and {{ segment }}_keys.period_start = segment_now.period_start
                and {{ segment }}_keys.{{ segment }} = segment_now.{{ segment }}

    ),
{%- endfor %}

channel_pairs as (

    select
        *,
        {{ safe_divide('channel_new_users_before', 'channel_visits_before') }} as signup_rate_before,
        {{ safe_divide('channel_new_users_now', 'channel_visits_now') }} as signup_rate_now
    from channel_measures

),

new_user_drivers as (

    -- a channel without visits in a period has no signup rate there: it takes the other period's (0 when
    -- neither has one); its new users of a period without visits are the signups_without_visits driver
    {%- set before = ['channel_visits_before', 'coalesce(signup_rate_before, signup_rate_now, 0)'] %}
    {%- set now = ['channel_visits_now', 'coalesce(signup_rate_now, signup_rate_before, 0)'] %}
    {%- set without_visits = 'case when channel_visits_{p} = 0 then channel_new_users_{p} else 0 end' -%}
    {%- set drivers = [
        ('visits', 'channel_visits'), ('signup_rate', 'signup_rate'), ('signups_without_visits', none)
    ] %}
    {%- for driver, factor in drivers %}

        select
            period_type,
            'new_users' as metric,
            '{{ driver }}' as driver,
            channel,
            cast(null as {{ dbt.type_string() }}) as platform,
            cast(new_users_before as {{ type_double() }}) as value_before,
            cast(new_users_now as {{ type_double() }}) as value_now,
            cast(new_users_now - new_users_before as {{ type_double() }}) as value_change,
            {%- if factor %}
                cast({{ factor }}_before as {{ type_double() }}) as driver_value_before,
                cast({{ factor }}_now as {{ type_double() }}) as driver_value_now,
                {{ shapley_effect(before, now, loop.index0) }} as contribution,
            {%- else %}
                cast({{ without_visits.replace('{p}', 'before') }} as {{ type_double() }}) as driver_value_before,
                cast({{ without_visits.replace('{p}', 'now') }} as {{ type_double() }}) as driver_value_now,
                cast(
                    {{ without_visits.replace('{p}', 'now') }} - {{ without_visits.replace('{p}', 'before') }}
                    as {{ type_double() }}
                ) as contribution,
            {%- endif %}
            is_complete,
            period_start,
            previous_period_start
        from channel_pairs
        {%- if not factor %}
            where
                (channel_visits_before = 0 and channel_new_users_before <> 0)
                or (channel_visits_now = 0 and channel_new_users_now <> 0)
        {%- endif %}
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

cac_drivers as (

    -- CAC = spend x (1 / new users): the spend effect of each channel is its change in spend at the mean of
    -- 1 / new users; the volume effect its share of the change in 1 / new users, -(its change in new users) /
    -- (new users before x now), at the mean spend. Only where CAC is defined in both periods.
    {%- set before = ['spend_before', safe_divide('1', 'new_users_before')] %}
    {%- set now = ['spend_now', safe_divide('1', 'new_users_now')] %}
    {%- set changes = [
        ('spend', 'channel_spend_cny', 'channel_spend_cny_now - channel_spend_cny_before'),
        ('volume', 'channel_new_users', safe_divide(
            'channel_new_users_before - channel_new_users_now', 'new_users_before * new_users_now'
        )),
    ] %}
    {%- for driver, part, change in changes %}

        select
            period_type,
            'cac' as metric,
            '{{ driver }}' as driver,
            channel,
            cast(null as {{ dbt.type_string() }}) as platform,
            cac_before as value_before,
            cac_now as value_now,
            cac_now - cac_before as value_change,
            cast({{ part }}_before as {{ type_double() }}) as driver_value_before,
            cast({{ part }}_now as {{ type_double() }}) as driver_value_now,
            {{ shapley_effect(before, now, loop.index0, change) }} as contribution,
            is_complete,
            period_start,
            previous_period_start
        from channel_pairs
        where cac_before is not null and cac_now is not null
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

platform_pairs as (

    -- a platform's ROAS needs its spend: revenue credited to a platform in a period it did not spend in is
    -- unattributed there
    select
        *,
        {%- for p in ['before', 'now'] %}
            {{ safe_divide('platform_spend_cny_' ~ p, 'spend_' ~ p) }} as spend_share_{{ p }},
            {{ safe_divide('platform_attributed_revenue_cny_' ~ p, 'platform_spend_cny_' ~ p) }}
                as platform_roas_{{ p }},
            case
                when platform_spend_cny_{{ p }} <> 0 then platform_attributed_revenue_cny_{{ p }} else 0
            end as paid_revenue_{{ p }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from platform_measures
    where blended_roas_before is not null and blended_roas_now is not null

),

paid_revenue as (

    select
        period_type,
        period_start,
        sum(paid_revenue_before) as paid_revenue_before,
        sum(paid_revenue_now) as paid_revenue_now
    from platform_pairs
    group by period_type, period_start

),

unattributed as (

    select
        pairs.*,
        {%- for p in ['before', 'now'] %}
            {{ safe_divide(
                'pairs.net_revenue_' ~ p ~ ' - coalesce(paid_revenue.paid_revenue_' ~ p ~ ', 0)', 'pairs.spend_' ~ p
            ) }} as unattributed_roas_{{ p }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from pairs
    left join paid_revenue
        on pairs.period_type = paid_revenue.period_type and pairs.period_start = paid_revenue.period_start
    where pairs.blended_roas_before is not null and pairs.blended_roas_now is not null

),

roas_drivers as (

    -- a platform without spend in a period has no ROAS there: it takes the other period's, so its entry or exit
    -- is all spend mix
    {%- set before = ['spend_share_before', 'coalesce(platform_roas_before, platform_roas_now, 0)'] %}
    {%- set now = ['spend_share_now', 'coalesce(platform_roas_now, platform_roas_before, 0)'] %}
    {%- for driver, factor in [('spend_mix', 'spend_share'), ('platform_roas', 'platform_roas')] %}

        select
            period_type,
            'blended_roas' as metric,
            '{{ driver }}' as driver,
            cast(null as {{ dbt.type_string() }}) as channel,
            platform,
            blended_roas_before as value_before,
            blended_roas_now as value_now,
            blended_roas_now - blended_roas_before as value_change,
            {{ factor }}_before as driver_value_before,
            {{ factor }}_now as driver_value_now,
            {{ shapley_effect(before, now, loop.index0) }} as contribution,
            is_complete,
            period_start,
            previous_period_start
        from platform_pairs

        union all
    {%- endfor %}

    select
        period_type,
        'blended_roas' as metric,
        'unattributed_revenue' as driver,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as platform,
        blended_roas_before as value_before,
        blended_roas_now as value_now,
        blended_roas_now - blended_roas_before as value_change,
        unattributed_roas_before as driver_value_before,
        unattributed_roas_now as driver_value_now,
        unattributed_roas_now - unattributed_roas_before as contribution,
        is_complete,
        period_start,
        previous_period_start
    from unattributed

),

report_rows as (

    select * from gmv_drivers
    union all
    select * from new_user_drivers
    union all
    select * from cac_drivers
    union all
    select * from roas_drivers

),

final as (

    {{ with_code_labels('report_rows', {'channel': 'channel', 'platform': 'platform'}) }}

)

select * from final
