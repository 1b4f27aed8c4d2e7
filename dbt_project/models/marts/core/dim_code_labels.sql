-- The names report readers see next to the codes, in Chinese and English, and the code's colour in the report
-- charts, from the one declaration of each code: channels from the channels seed (plus `all`, the blended row of
-- the reports that roll the channels up; a paid channel without a colour of its own takes its ad platform's),
-- content platforms (the content exports' code of an owned channel) with their channel's labels and colour from
-- the same seed, ad platforms and social platforms from growthmart/contracts.py (the generated macros
-- ad_platforms() and social_platforms()) plus `non_ad`, the campaigns without an ad platform (rpt_kpi_drivers).
-- A code declared without labels has NULL labels here, reports then show the code (macro with_code_labels);
-- without a colour NULL, the report pages then derive one from the code alone.
-- Grain: code_type, code.

{%- set unset = 'cast(null as ' ~ dbt.type_string() ~ ')' %}

with

channels as (

    select * from {{ ref('channels') }}

),

platform_labels as (

    {%- for platform in ad_platforms() %}
        select
            'platform' as code_type,
            '{{ platform.key }}' as code,
            {{ dbt.string_literal(platform.label_zh) if platform.label_zh else unset }} as label_zh,
            {{ dbt.string_literal(platform.label_en) if platform.label_en else unset }} as label_en,
            {{ dbt.string_literal(platform.color) if platform.color else unset }} as color
        union all
    {%- endfor %}

    -- campaigns without an ad platform (non-ad costs: KOL fees, activity incentives), as rpt_kpi_drivers shows them
    select
        'platform' as code_type,
        'non_ad' as code,
        '非广告投放' as label_zh,
        'Non-ad campaigns' as label_en,
        {{ unset }} as color

),

social_platform_labels as (

    {%- for platform in social_platforms() %}
        select
            'social_platform' as code_type,
            '{{ platform.key }}' as code,
            {{ dbt.string_literal(platform.label_zh) }} as label_zh,
            {{ dbt.string_literal(platform.label_en) }} as label_en,
            {{ dbt.string_literal(platform.color) }} as color
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

channel_colors as (

    select
        channels.channel,
        channels.content_platform,
        channels.label_zh,
        channels.label_en,
        coalesce(channels.color, platform_labels.color) as color
    from channels
    left join platform_labels
        on channels.ad_platform = platform_labels.code

),

channel_labels as (

    select
        'channel' as code_type,
        channel as code,
        label_zh,
        label_en,
        color
    from channel_colors

    union all

    select
        'channel' as code_type,
        'all' as code,
        '全部渠道' as label_zh,
        'All channels' as label_en,
        '#1f3b73' as color

    union all

    select
        'content_platform' as code_type,
        content_platform as code,
        label_zh,
        label_en,
        color
    from channel_colors
    where content_platform is not null

),

final as (

    select * from channel_labels
    union all
    select * from platform_labels
    union all
    select * from social_platform_labels

)

select * from final
