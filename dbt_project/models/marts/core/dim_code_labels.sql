-- The names report readers see next to the codes, in Chinese and English, from the one declaration of each
-- code: channels from the channels seed (plus `all`, the blended row of the reports that roll the channels
-- up), content platforms (the content exports' code of an owned channel) with their channel's labels from the
-- same seed, ad platforms from growthmart/contracts.py (the generated macro ad_platforms()) plus `non_ad`, the
-- campaigns without one (rpt_kpi_drivers). A platform declared without labels has NULL labels here; reports then
-- show the code (macro with_code_labels).
-- Grain: code_type, code.

{%- set unset = 'cast(null as ' ~ dbt.type_string() ~ ')' %}

with

channels as (

    select * from {{ ref('channels') }}

),

channel_labels as (

    select
        'channel' as code_type,
        channel as code,
        label_zh,
        label_en
    from channels

    union all

    select
        'channel' as code_type,
        'all' as code,
        '全部渠道' as label_zh,
        'All channels' as label_en

    union all

    select
        'content_platform' as code_type,
        content_platform as code,
        label_zh,
        label_en
    from channels
    where content_platform is not null

),

platform_labels as (

    {%- for platform in ad_platforms() %}
        select
            'platform' as code_type,
            '{{ platform.key }}' as code,
            {{ dbt.string_literal(platform.label_zh) if platform.label_zh else unset }} as label_zh,
            {{ dbt.string_literal(platform.label_en) if platform.label_en else unset }} as label_en
        union all
    {%- endfor %}

    -- campaigns without an ad platform (non-ad costs: KOL fees, activity incentives), as rpt_kpi_drivers shows them
    select
        'platform' as code_type,
        'non_ad' as code,
        '非广告投放' as label_zh,
        'Non-ad campaigns' as label_en

),

final as (

    select * from channel_labels
    union all
    select * from platform_labels

)

select * from final
