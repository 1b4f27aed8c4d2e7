-- One row per signed-up user as of data end: RFM, quintile scores, value tier with its suggested CRM action, this
-- week's lifecycle state, acquisition channel and activity dates: the list a CRM or push tool imports for targeted
-- recalls. The published columns of fct_user_segments, which defines every one of them, with the channel's labels.
-- Grain: user_id.

with

fct_user_segments as (

    select * from {{ ref('fct_user_segments') }}

),

final as (

    {{ with_code_labels('fct_user_segments', {'channel': 'channel'}) }}

)

select * from final
