-- 建议 (recommendations): what the team could do, each with its numbers and the table rows behind them. One row per
-- rule firing: the rules are the seeds recommendation_rules (on/off, priority, message templates) and
-- recommendation_rule_parameters (thresholds), each evaluated by its mart marts/recommendations/
-- fct_recommendations_<rule> (docs/metrics.md#rpt_recommendations). Here the firings of the enabled rules are
-- unioned, the content platform gets its labels, and each message template is filled: {subject}, {subject_name},
-- {target_id}, {target_name}, {detail}, {platform_label_zh}, {platform_label_en} and {<evidence metric>} for each
-- evidence slot, the number printed as alert_value prints it. A new rule is one more mart of the same columns,
-- unioned in `firings` below, and one row in each seed.
-- Grain: report_date, rule_id, subject.

{%- set slots = range(1, 7) %}
{%- set text_placeholders = ['subject', 'subject_name', 'target_id', 'target_name', 'detail', 'platform_label_zh',
    'platform_label_en'] %}

{#- each message: its template with every placeholder replaced (a NULL value prints as a dash) -#}
{%- set messages = {} %}
{%- for language in ['zh', 'en'] %}
    {%- set ns = namespace(sql='recommendation_rules.message_' ~ language) %}
    {%- for column in text_placeholders %}
        {%- set ns.sql = 'replace(' ~ ns.sql ~ ", '{" ~ column ~ "}', coalesce(labelled." ~ column ~ ", '–'))" %}
    {%- endfor %}
    {%- for i in slots %}
        {%- set ns.sql = 'replace(' ~ ns.sql ~ ', ' ~ dbt.concat(["'{'", 'coalesce(labelled.evidence_' ~ i
            ~ "_metric, '')", "'}'"]) ~ ', coalesce(labelled.evidence_' ~ i ~ "_text, '–'))" %}
    {%- endfor %}
    {%- do messages.update({language: ns.sql}) %}
{%- endfor %}

with

recommendation_rules as (

    select * from {{ ref('recommendation_rules') }}
    where is_enabled

),

fct_recommendations_budget_shift as (

    select * from {{ ref('fct_recommendations_budget_shift') }}

),

fct_recommendations_recall_dormant as (

    select * from {{ ref('fct_recommendations_recall_dormant') }}

),

fct_recommendations_ab_winner as (

    select * from {{ ref('fct_recommendations_ab_winner') }}

),

fct_recommendations_content_leads as (

    select * from {{ ref('fct_recommendations_content_leads') }}

),

firings as (

    -- every rule model: the same columns each
    select * from fct_recommendations_budget_shift
    union all
    select * from fct_recommendations_recall_dormant
    union all
    select * from fct_recommendations_ab_winner
    union all
    select * from fct_recommendations_content_leads

),

labelled as (

    {{ with_code_labels('firings', {'platform': 'content_platform'}) }}

),

final as (

    select
        labelled.report_date,
        labelled.rule_id,
        labelled.subject,
        labelled.subject_name,
        labelled.target_id,
        labelled.target_name,
        labelled.detail,
        labelled.platform,
        {{ messages['zh'] }} as message_zh,
        {{ messages['en'] }} as message_en,
        labelled.evidence_keys,
        cast(recommendation_rules.priority as integer) as priority,
        {%- for i in slots %}
            labelled.evidence_{{ i }}_metric,
            labelled.evidence_{{ i }}_value,
        {%- endfor %}
        labelled.platform_label_zh,
        labelled.platform_label_en
    from labelled
    -- a disabled rule's mart is already empty (macro recommendation_parameters); this join also drops its rows
    inner join recommendation_rules
        on labelled.rule_id = recommendation_rules.rule_id

)

select * from final
