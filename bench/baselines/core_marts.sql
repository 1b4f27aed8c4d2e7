-- The floor: growthmart's four core marts written as one plain DuckDB SQL script, straight from the raw
-- tables, with the definitions of docs/metrics.md and the dbt models behind the reports
-- (rpt_retention_cohorts, rpt_funnel_users, rpt_cac_ltv_monthly, rpt_campaign_roi).
--
-- Run against a copy of the warehouse after the pipeline loaded it: reads raw.* and the seeds
-- (seeds.channel_map, seeds.channels), writes floor.retention_cohorts, floor.funnel_users,
-- floor.cac_ltv_monthly and floor.campaign_roi. Intermediates are temp tables, not persisted models.
-- The dbt vars are inlined: reporting timezone Asia/Shanghai, 7-day last-touch lookback, 14-day funnel
-- window, activation = add_to_cart, visit = session_start, retention days 0..30, 60, 90.

create schema if not exists floor;

-- Events: newest landed version of each event_id, reporting-timezone day. Only ids landed more than
-- once need the window; the rest pass straight through (a hash aggregate finds them).
create or replace temp table events as
with landed_twice as (
    select event_id from raw.app_events group by event_id having count(*) > 1
),

candidates as (
    select * from raw.app_events anti join landed_twice using (event_id)
    union all
    (
        select * from raw.app_events semi join landed_twice using (event_id)
        qualify row_number() over (
            partition by event_id order by _partition_date desc, _loaded_at desc, _row_number desc
        ) = 1
    )
)

select
    event_id,
    anonymous_id,
    user_id,
    lower(trim(event_name)) = 'session_start' as is_visit,
    lower(trim(event_name)) = 'add_to_cart' as is_activation,
    lower(trim(utm_source)) as utm_source,
    lower(trim(utm_medium)) as utm_medium,
    lower(trim(utm_campaign)) as utm_campaign,
    cast(timezone('Asia/Shanghai', timezone('UTC', event_at)) as date) as event_date,
    event_at,
    _partition_date as partition_date
from candidates;

-- Data end = last loaded day of the user-events source.
create or replace temp table bounds as
select max(partition_date) as data_end from events;

create or replace temp table users as
select
    user_id,
    anonymous_id,
    signup_at,
    cast(timezone('Asia/Shanghai', timezone('UTC', signup_at)) as date) as signup_date
from raw.app_users
qualify row_number() over (
    partition by user_id order by _partition_date desc, _loaded_at desc, _row_number desc
) = 1;

create or replace temp table campaigns as
select
    campaign_id,
    trim(platform_campaign_id) as platform_campaign_id,
    lower(trim(channel)) as channel,
    lower(trim(platform)) as platform,
    lower(trim(utm_campaign)) as utm_campaign
from raw.campaigns
qualify row_number() over (
    partition by campaign_id order by _partition_date desc, _loaded_at desc, _row_number desc
) = 1;

create or replace temp table fx as
select upper(currency) as currency, rate_date, rate_to_cny
from raw.fx_rates
qualify row_number() over (
    partition by rate_date, upper(currency) order by _partition_date desc, _loaded_at desc, _row_number desc
) = 1;

-- Device -> user: the signup device first, else the first user seen logged in on it.
create or replace temp table identities as
select anonymous_id, user_id
from (
    select anonymous_id, user_id, 1 as link_priority, signup_at as linked_at from users
    union all
    select anonymous_id, user_id, 2 as link_priority, min(event_at) as linked_at
    from events
    where user_id is not null
    group by anonymous_id, user_id
)
qualify row_number() over (partition by anonymous_id order by link_priority, linked_at, user_id) = 1;

-- Visits with channel (channel_map; no UTM = organic, unknown = unmapped) and registry campaign.
create or replace temp table visits as
select
    e.event_id,
    coalesce(e.user_id, i.user_id) as user_id,
    coalesce(e.user_id, i.user_id, e.anonymous_id) as person_id,
    c.campaign_id,
    case
        when e.utm_source is null and e.utm_medium is null and e.utm_campaign is null then 'organic'
        else coalesce(m.channel, 'unmapped')
    end as channel,
    e.event_date as visit_date,
    e.event_at as visited_at
from events as e
left join identities as i on e.anonymous_id = i.anonymous_id
left join seeds.channel_map as m on e.utm_source = m.utm_source and e.utm_medium = m.utm_medium
left join campaigns as c on e.utm_campaign = c.utm_campaign
where e.is_visit;

-- Signed-up users' active days (at least one event that day).
create or replace temp table activity as
select distinct coalesce(e.user_id, i.user_id) as user_id, e.event_date as activity_date
from events as e
left join identities as i on e.anonymous_id = i.anonymous_id
where coalesce(e.user_id, i.user_id) is not null;

create or replace temp table activations as
select coalesce(e.user_id, i.user_id, e.anonymous_id) as person_id, e.event_at
from events as e
left join identities as i on e.anonymous_id = i.anonymous_id
where e.is_activation;

drop table events;

-- Paid orders net of refunds: newest version of each (order, updated_at), then the latest version;
-- amount and refund at the order day's FX rate.
create or replace temp table orders as
with versions as (
    select
        order_id,
        user_id,
        lower(trim(status)) as status,
        upper(trim(currency)) as currency,
        amount,
        refund_amount,
        cast(timezone('Asia/Shanghai', timezone('UTC', created_at)) as date) as created_date,
        created_at,
        updated_at,
        _partition_date as partition_date
    from raw.app_orders
    qualify row_number() over (
        partition by order_id, updated_at order by _partition_date desc, _loaded_at desc, _row_number desc
    ) = 1
),

priced as (
    select
        v.*,
        cast(case when v.currency = 'CNY' then v.amount else v.amount * fx.rate_to_cny end as decimal(18, 4))
            as amount_cny,
        cast(
            case when v.currency = 'CNY' then v.refund_amount else v.refund_amount * fx.rate_to_cny end
            as decimal(18, 4)
        ) as refund_amount_cny
    from versions as v
    left join fx on v.currency = fx.currency and v.created_date = fx.rate_date
),

latest as (
    select
        *,
        max(case when status in ('paid', 'refunded') then 1 else 0 end) over (partition by order_id) as was_paid
    from priced
    qualify row_number() over (partition by order_id order by updated_at desc, partition_date desc) = 1
)

select
    order_id,
    user_id,
    created_date,
    created_at,
    cast(
        amount_cny - cast(
            case
                when status in ('refunded', 'cancelled') then coalesce(refund_amount_cny, amount_cny)
                else coalesce(refund_amount_cny, 0)
            end as decimal(18, 4)
        ) as decimal(18, 4)
    ) as net_revenue_cny,
    row_number() over (partition by user_id order by created_at, order_id) as order_sequence
from latest
where was_paid = 1;

-- Users with first-touch channel (first visit at or before signup, else organic) and first paid order.
create or replace temp table dim_users as
with first_touch as (
    select v.user_id, v.channel
    from visits as v
    inner join users as u on v.user_id = u.user_id
    where v.visited_at <= u.signup_at
    qualify row_number() over (partition by v.user_id order by v.visited_at, v.event_id) = 1
),

first_orders as (
    select user_id, min(created_date) as first_order_date from orders group by user_id
)

select
    u.user_id,
    u.signup_date,
    cast(date_trunc('month', u.signup_date) as date) as signup_month,
    u.signup_at,
    coalesce(ft.channel, 'organic') as channel,
    fo.first_order_date
from users as u
left join first_touch as ft on u.user_id = ft.user_id
left join first_orders as fo on u.user_id = fo.user_id;

-- ---------------------------------------------------------------------------------------------------
-- 1. Retention cohorts: signup day x first-touch channel x day N.
create or replace table floor.retention_cohorts as
with retention_days as (
    select unnest([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                   21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 60, 90]) as day_n
),

user_days as (
    -- active days from signup up to data end, as days since signup
    select a.user_id, cast(date_diff('day', u.signup_date, a.activity_date) as integer) as day_n
    from activity as a
    inner join dim_users as u on a.user_id = u.user_id
    cross join bounds
    where a.activity_date >= u.signup_date and a.activity_date <= bounds.data_end
),

cohorts as (
    select signup_date as cohort_date, channel, count(*) as cohort_size
    from dim_users
    cross join bounds
    where signup_date <= bounds.data_end
    group by all
),

retained as (
    select u.signup_date as cohort_date, u.channel, d.day_n, count(*) as retained_users
    from user_days as d
    inner join dim_users as u on d.user_id = u.user_id
    where d.day_n in (select day_n from retention_days)
    group by all
),

last_day as (
    select user_id, max(day_n) as last_day_n from user_days group by user_id
),

unbounded as (
    select u.signup_date as cohort_date, u.channel, r.day_n, count(*) as unbounded_retained_users
    from last_day as l
    inner join dim_users as u on l.user_id = u.user_id
    inner join retention_days as r on l.last_day_n >= r.day_n
    group by all
),

grid as (
    select
        c.cohort_date,
        c.channel,
        r.day_n,
        c.cohort_size,
        c.cohort_date + r.day_n <= bounds.data_end as is_complete
    from cohorts as c
    cross join retention_days as r
    cross join bounds
)

select
    g.cohort_date,
    g.channel,
    cast(g.day_n as integer) as day_n,
    cast(g.cohort_size as bigint) as cohort_size,
    case when g.is_complete then cast(coalesce(rt.retained_users, 0) as bigint) end as retained_users,
    case when g.is_complete then coalesce(rt.retained_users, 0) / g.cohort_size end as retention_rate,
    case when g.is_complete then cast(coalesce(ub.unbounded_retained_users, 0) as bigint) end
        as unbounded_retained_users,
    case when g.is_complete then coalesce(ub.unbounded_retained_users, 0) / g.cohort_size end
        as unbounded_retention_rate,
    g.is_complete
from grid as g
left join retained as rt on g.cohort_date = rt.cohort_date and g.channel = rt.channel and g.day_n = rt.day_n
left join unbounded as ub on g.cohort_date = ub.cohort_date and g.channel = ub.channel and g.day_n = ub.day_n;

-- ---------------------------------------------------------------------------------------------------
-- 2. User funnel: visit -> signup -> activation -> first paid order -> repeat paid order, each the
-- earliest at or after the previous step and within 14 days of the first visit.
create or replace table floor.funnel_users as
with persons as (
    select
        person_id,
        channel,
        cast(date_trunc('week', visit_date) as date) as cohort_week,
        visited_at,
        visited_at + interval 14 day as window_ends_at
    from visits
    qualify row_number() over (partition by person_id order by visited_at, event_id) = 1
),

signups as (
    select p.person_id, p.window_ends_at, u.signup_at as signed_up_at
    from persons as p
    inner join users as u
        on p.person_id = u.user_id and u.signup_at between p.visited_at and p.window_ends_at
),

activated as (
    -- the first activation at or after signup (ASOF), if it falls inside the window
    select s.person_id, s.window_ends_at, a.event_at as activated_at
    from signups as s
    asof inner join activations as a on s.person_id = a.person_id and s.signed_up_at <= a.event_at
    where a.event_at <= s.window_ends_at
),

first_orders as (
    select a.person_id, a.window_ends_at, min(o.order_sequence) as order_sequence
    from activated as a
    inner join orders as o
        on a.person_id = o.user_id and o.created_at between a.activated_at and a.window_ends_at
    group by all
),

repeat_orders as (
    -- order_sequence follows created_at: the next paid order is sequence + 1
    select f.person_id
    from first_orders as f
    inner join orders as o
        on f.person_id = o.user_id and o.order_sequence = f.order_sequence + 1 and o.created_at <= f.window_ends_at
),

cohorts as (
    select
        p.cohort_week,
        p.channel,
        count(*) as visited,
        count(s.person_id) as signed_up,
        count(a.person_id) as activated,
        count(f.person_id) as first_ordered,
        count(r.person_id) as repeat_ordered
    from persons as p
    left join signups as s on p.person_id = s.person_id
    left join activated as a on p.person_id = a.person_id
    left join first_orders as f on p.person_id = f.person_id
    left join repeat_orders as r on p.person_id = r.person_id
    group by all
),

steps as (
    select
        c.cohort_week,
        c.channel,
        s.step_order,
        s.step_name,
        [c.visited, c.signed_up, c.activated, c.first_ordered, c.repeat_ordered][s.step_order] as users,
        c.visited as first_step_users,
        c.cohort_week + 6 + 14 <= bounds.data_end as is_complete
    from cohorts as c
    cross join bounds
    cross join (
        values (1, 'visit'), (2, 'signup'), (3, 'activation'), (4, 'first_paid_order'), (5, 'repeat_paid_order')
    ) as s (step_order, step_name)
)

select
    cohort_week,
    channel,
    cast(step_order as integer) as step_order,
    step_name,
    cast(users as bigint) as users,
    case
        when is_complete
            then users / nullif(lag(users) over (partition by cohort_week, channel order by step_order), 0)
    end as conversion_from_previous,
    case when is_complete then users / nullif(first_step_users, 0) end as conversion_from_first,
    is_complete
from steps;

-- ---------------------------------------------------------------------------------------------------
-- Spend: every enabled ad platform (newest version of each ad-day) plus non-ad costs, in CNY, mapped to
-- the campaign registry (unregistered platform campaigns get a synthetic campaign).
create or replace temp table ads as
select
    'ocean_engine' as platform,
    "项目ID" as platform_campaign_id,
    "展示数" as impressions,
    "点击数" as clicks,
    cast("消耗(元)" as decimal(18, 4)) as spend_cny,
    coalesce("转化数", 0) as platform_conversions,
    "日期" as report_date
from raw.ocean_engine_ad_stats
qualify row_number() over (
    partition by "日期", "广告ID" order by _partition_date desc, _loaded_at desc, _row_number desc
) = 1
union all
select
    'tencent_ads' as platform,
    campaign_id as platform_campaign_id,
    view_count as impressions,
    valid_click_count as clicks,
    cast(cost / 100.0 as decimal(18, 4)) as spend_cny,
    coalesce(conversions_count, 0) as platform_conversions,
    date as report_date
from raw.tencent_ads_daily_reports
qualify row_number() over (
    partition by date, dynamic_creative_id order by _partition_date desc, _loaded_at desc, _row_number desc
) = 1
union all
select
    'baidu' as platform,
    "计划ID" as platform_campaign_id,
    "展现" as impressions,
    "点击" as clicks,
    cast("消费" as decimal(18, 4)) as spend_cny,
    coalesce("转化", 0) as platform_conversions,
    "日期" as report_date
from raw.baidu_keyword_stats
qualify row_number() over (
    partition by "日期", "关键词ID" order by _partition_date desc, _loaded_at desc, _row_number desc
) = 1
union all
select
    'meta' as platform,
    m.campaign_id as platform_campaign_id,
    m.impressions,
    m.clicks,
    cast(case when m.currency = 'CNY' then m.spend else m.spend * fx.rate_to_cny end as decimal(18, 4))
        as spend_cny,
    cast(coalesce(list_sum(list_transform(
        list_filter(
            from_json(m.actions, '[{"action_type": "VARCHAR", "value": "VARCHAR"}]'),
            lambda a: a.action_type = 'offsite_conversion.fb_pixel_purchase'
        ),
        lambda a: cast(a.value as decimal(18, 4))
    )), 0) as bigint) as platform_conversions,
    m.date_start as report_date
from (
    select *, upper(account_currency) as currency
    from raw.meta_ads_insights
    qualify row_number() over (
        partition by date_start, ad_id order by _partition_date desc, _loaded_at desc, _row_number desc
    ) = 1
) as m
left join fx on m.currency = fx.currency and m.date_start = fx.rate_date
union all
select
    'xiaohongshu_ads' as platform,
    campaign_id as platform_campaign_id,
    impression as impressions,
    click as clicks,
    cast(fee as decimal(18, 4)) as spend_cny,
    coalesce(goods_order, 0) as platform_conversions,
    "time" as report_date
from raw.xiaohongshu_ads_reports
qualify row_number() over (
    partition by "time", creativity_id order by _partition_date desc, _loaded_at desc, _row_number desc
) = 1
union all
select
    'google_ads' as platform,
    g."campaign.id" as platform_campaign_id,
    g."metrics.impressions" as impressions,
    g."metrics.clicks" as clicks,
    cast(case when g.currency = 'CNY' then g.spend else g.spend * fx.rate_to_cny end as decimal(18, 4))
        as spend_cny,
    cast(round(coalesce(g."metrics.conversions", 0)) as bigint) as platform_conversions,
    g."segments.date" as report_date
from (
    select
        *,
        upper(trim("customer.currency_code")) as currency,
        cast("metrics.cost_micros" / 1000000.0 as decimal(18, 4)) as spend
    from raw.google_ads_ad_stats
    qualify row_number() over (
        partition by "segments.date", "ad_group_ad.ad.id"
        order by _partition_date desc, _loaded_at desc, _row_number desc
    ) = 1
) as g
left join fx on g.currency = fx.currency and g."segments.date" = fx.rate_date;

create or replace temp table dim_campaigns as
select campaign_id, platform, platform_campaign_id, channel from campaigns
union all
select
    u.platform || ':' || u.platform_campaign_id as campaign_id,
    u.platform,
    u.platform_campaign_id,
    coalesce(ch.channel, 'unmapped') as channel
from (
    select distinct a.platform, a.platform_campaign_id
    from ads as a
    left join campaigns as c on a.platform = c.platform and a.platform_campaign_id = c.platform_campaign_id
    where c.campaign_id is null
) as u
left join seeds.channels as ch on u.platform = ch.ad_platform;

create or replace temp table ad_days as
select d.campaign_id, a.impressions, a.clicks, a.platform_conversions, a.spend_cny, a.report_date
from ads as a
left join dim_campaigns as d on a.platform = d.platform and a.platform_campaign_id = d.platform_campaign_id;

create or replace temp table costs as
select campaign_id, spend_cny as ad_spend_cny, cast(0 as decimal(18, 4)) as non_ad_cost_cny, report_date as cost_date
from ad_days
union all
select
    n.campaign_id,
    cast(0 as decimal(18, 4)) as ad_spend_cny,
    cast(case when n.currency = 'CNY' then n.amount else n.amount * fx.rate_to_cny end as decimal(18, 4))
        as non_ad_cost_cny,
    n.cost_date
from (
    select campaign_id, upper(trim(currency)) as currency, amount, cost_date
    from raw.non_ad_costs
    qualify row_number() over (
        partition by cost_id order by _partition_date desc, _loaded_at desc, _row_number desc
    ) = 1
) as n
left join fx on n.currency = fx.currency and n.cost_date = fx.rate_date;

-- ---------------------------------------------------------------------------------------------------
-- 3. CAC / LTV by monthly signup cohort and first-touch channel, plus an `all` row per month.
create or replace table floor.cac_ltv_monthly as
with cohort_users as (
    select
        signup_month as acquisition_month,
        channel,
        count(*) as new_users,
        count(case when date_diff('day', signup_date, first_order_date) < 30 then user_id end) as new_paying_users
    from dim_users
    group by all
),

channel_spend as (
    select
        cast(date_trunc('month', c.cost_date) as date) as acquisition_month,
        d.channel,
        cast(nullif(sum(c.ad_spend_cny + c.non_ad_cost_cny), 0) as decimal(18, 4)) as spend_cny
    from costs as c
    left join dim_campaigns as d on c.campaign_id = d.campaign_id
    group by all
),

by_channel as (
    select
        coalesce(u.acquisition_month, s.acquisition_month) as acquisition_month,
        coalesce(u.channel, s.channel) as channel,
        coalesce(u.new_users, 0) as new_users,
        coalesce(u.new_paying_users, 0) as new_paying_users,
        s.spend_cny
    from cohort_users as u
    full outer join channel_spend as s on u.acquisition_month = s.acquisition_month and u.channel = s.channel
),

cohorts as (
    select
        acquisition_month,
        coalesce(channel, 'all') as channel,
        sum(new_users) as new_users,
        sum(new_paying_users) as new_paying_users,
        sum(spend_cny) as spend_cny,
        last_day(acquisition_month) as month_end_date
    from by_channel
    group by acquisition_month, rollup (channel)
),

revenue as (
    select
        u.signup_month as acquisition_month,
        coalesce(u.channel, 'all') as channel,
        cast(date_diff('day', u.signup_date, o.created_date) as integer) as day_n,
        sum(o.net_revenue_cny) as net_revenue_cny
    from orders as o
    inner join dim_users as u on o.user_id = u.user_id
    where o.created_date >= u.signup_date
    group by u.signup_month, date_diff('day', u.signup_date, o.created_date), rollup (u.channel)
),

cumulative as (
    select
        *,
        sum(net_revenue_cny) over (
            partition by acquisition_month, channel order by day_n rows between unbounded preceding and current row
        ) as cumulative_net_revenue_cny
    from revenue
),

value as (
    select
        c.acquisition_month,
        c.channel,
        case
            when c.month_end_date + 6 <= b.data_end then coalesce(sum(r.net_revenue_cny) filter (r.day_n < 7), 0)
        end as net_revenue_7d,
        case
            when c.month_end_date + 29 <= b.data_end then coalesce(sum(r.net_revenue_cny) filter (r.day_n < 30), 0)
        end as net_revenue_30d,
        case
            when c.month_end_date + 89 <= b.data_end then coalesce(sum(r.net_revenue_cny) filter (r.day_n < 90), 0)
        end as net_revenue_90d,
        c.month_end_date + 29 <= b.data_end as is_paying_window_complete,
        min(r.day_n) filter (
            c.month_end_date + r.day_n <= b.data_end and r.cumulative_net_revenue_cny >= c.spend_cny
        ) as payback_days
    from cohorts as c
    cross join bounds as b
    left join cumulative as r on c.acquisition_month = r.acquisition_month and c.channel = r.channel
    where c.acquisition_month <= b.data_end
    group by c.acquisition_month, c.channel, c.month_end_date, b.data_end
)

select
    c.acquisition_month,
    c.channel,
    cast(c.spend_cny as decimal(18, 4)) as spend,
    cast(c.new_users as bigint) as new_users,
    cast(c.new_paying_users as bigint) as new_paying_users,
    cast(c.spend_cny as double) / nullif(c.new_users, 0) as cac,
    case when v.is_paying_window_complete then cast(c.spend_cny as double) / nullif(c.new_paying_users, 0) end
        as paying_cac,
    cast(v.net_revenue_7d as double) / nullif(c.new_users, 0) as ltv_7d,
    cast(v.net_revenue_30d as double) / nullif(c.new_users, 0) as ltv_30d,
    cast(v.net_revenue_90d as double) / nullif(c.new_users, 0) as ltv_90d,
    cast(v.net_revenue_90d as double) / nullif(cast(c.spend_cny as double), 0) as ltv_90d_to_cac,
    cast(v.payback_days as integer) as payback_days
from cohorts as c
inner join value as v on c.acquisition_month = v.acquisition_month and c.channel = v.channel;

-- ---------------------------------------------------------------------------------------------------
-- 4. Campaign ROI over each campaign's life: spend, delivery, visits, last-touch attributed signups,
-- paid orders and net revenue (most recent campaign visit at most 7 days before the conversion).
create or replace table floor.campaign_roi as
with campaign_visits as (
    select user_id, campaign_id, visited_at from visits where campaign_id is not null
),

conversions as (
    select 'signup' as conversion_type, user_id, signup_at as converted_at, signup_date as conversion_date,
        cast(null as decimal(18, 4)) as net_revenue_cny
    from users
    union all
    select 'order' as conversion_type, user_id, created_at as converted_at, created_date as conversion_date,
        net_revenue_cny
    from orders
),

attributed as (
    -- the most recent campaign visit at or before the conversion (ASOF), if within the lookback
    select c.conversion_type, c.conversion_date, c.net_revenue_cny, v.campaign_id
    from conversions as c
    asof inner join campaign_visits as v on c.user_id = v.user_id and c.converted_at >= v.visited_at
    where v.visited_at >= c.converted_at - interval 7 day
),

measures as (
    select
        campaign_id, ad_spend_cny, non_ad_cost_cny, 0 as impressions, 0 as clicks, 0 as platform_conversions,
        0 as visits, 0 as signups, 0 as orders, cast(0 as decimal(18, 4)) as revenue, cost_date as report_date
    from costs
    union all
    select
        campaign_id, 0, 0, impressions, clicks, platform_conversions, 0, 0, 0, 0, report_date
    from ad_days
    union all
    select campaign_id, 0, 0, 0, 0, 0, 1, 0, 0, 0, visit_date from visits where campaign_id is not null
    union all
    select
        campaign_id, 0, 0, 0, 0, 0, 0,
        case when conversion_type = 'signup' then 1 else 0 end,
        case when conversion_type = 'order' then 1 else 0 end,
        coalesce(net_revenue_cny, 0),
        conversion_date
    from attributed
),

lifetime as (
    select
        m.campaign_id,
        d.platform,
        d.channel,
        sum(m.ad_spend_cny) + sum(m.non_ad_cost_cny) as spend_cny,
        sum(m.ad_spend_cny) as ad_spend_cny,
        sum(m.non_ad_cost_cny) as non_ad_cost_cny,
        sum(m.impressions) as impressions,
        sum(m.clicks) as clicks,
        sum(m.platform_conversions) as platform_conversions,
        sum(m.visits) as visits,
        sum(m.signups) as attributed_signups,
        sum(m.orders) as attributed_orders,
        sum(m.revenue) as attributed_revenue_cny,
        min(m.report_date) as first_date,
        max(m.report_date) as last_date
    from measures as m
    left join dim_campaigns as d on m.campaign_id = d.campaign_id
    group by all
)

select
    campaign_id,
    platform,
    channel,
    cast(spend_cny as decimal(18, 4)) as spend,
    cast(ad_spend_cny as decimal(18, 4)) as ad_spend,
    cast(non_ad_cost_cny as decimal(18, 4)) as non_ad_cost,
    cast(impressions as bigint) as impressions,
    cast(clicks as bigint) as clicks,
    clicks / nullif(impressions, 0) as ctr,
    cast(nullif(spend_cny, 0) as double) / nullif(clicks, 0) as cpc,
    cast(nullif(spend_cny, 0) * 1000 as double) / nullif(impressions, 0) as cpm,
    cast(platform_conversions as bigint) as platform_conversions,
    cast(visits as bigint) as visits,
    cast(attributed_signups as bigint) as attributed_signups,
    cast(attributed_orders as bigint) as attributed_orders,
    cast(attributed_revenue_cny as decimal(18, 4)) as attributed_revenue,
    attributed_orders / nullif(clicks, 0) as cvr,
    cast(nullif(spend_cny, 0) as double) / nullif(attributed_orders, 0) as cpa,
    cast(attributed_revenue_cny as double) / nullif(cast(spend_cny as double), 0) as roas,
    cast(attributed_revenue_cny - spend_cny as double) / nullif(cast(spend_cny as double), 0) as roi,
    first_date,
    last_date
from lifetime;
