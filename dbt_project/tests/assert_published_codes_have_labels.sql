-- Channel and platform codes the reports publish without a Chinese or English label in dim_code_labels (a
-- channel or content platform added to the channels seed without label_zh / label_en, an ad platform declared in
-- growthmart/contracts.py without label_zh / label_en, a new rollup member). The reports stay correct (the
-- label falls back to the code, macro with_code_labels), so this warns rather than stopping the run: the
-- numbers are published and the summary names the code to label.

{{ config(severity='warn') }}

{#- (report, code type in dim_code_labels, the report's column holding the code) -#}
{%- set published = [
    ('rpt_campaign_roi', 'channel', 'channel'),
    ('rpt_campaign_roi', 'platform', 'platform'),
    ('rpt_funnel_ads', 'platform', 'platform'),
    ('rpt_attribution_channels', 'channel', 'channel'),
    ('rpt_cac_ltv_monthly', 'channel', 'channel'),
    ('rpt_funnel_users', 'channel', 'channel'),
    ('rpt_retention_cohorts', 'channel', 'channel'),
    ('rpt_user_lifecycle_weekly', 'channel', 'channel'),
    ('rpt_user_segments', 'channel', 'channel'),
    ('rpt_content_items', 'content_platform', 'platform'),
    ('rpt_ab_tests', 'platform', 'platform'),
    ('rpt_brand_sentiment_daily', 'social_platform', 'platform'),
    ('rpt_brand_incidents', 'social_platform', 'platform'),
    ('rpt_recommendations', 'content_platform', 'platform'),
    ('rpt_kpi_drivers', 'channel', 'channel'),
    ('rpt_kpi_drivers', 'platform', 'platform'),
] %}

with

dim_code_labels as (

    select * from {{ ref('dim_code_labels') }}

),

published_codes as (

    {%- for report, code_type, column in published %}
        select distinct
            '{{ report }}' as report,
            '{{ code_type }}' as code_type,
            {{ column }} as code
        from {{ ref(report) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    published_codes.report,
    published_codes.code_type,
    published_codes.code
from published_codes
left join dim_code_labels
    on
        published_codes.code_type = dim_code_labels.code_type
        and published_codes.code = dim_code_labels.code
where
    published_codes.code is not null
    and (dim_code_labels.label_zh is null or dim_code_labels.label_en is null)
