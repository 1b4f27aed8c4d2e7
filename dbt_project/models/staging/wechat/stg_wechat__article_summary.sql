-- Incremental: the article days (re-)landed in the partition window replace their stored rows.

{{ config(**incremental_by_key(['stat_date', 'msgid'], 'stat_date')) }}

with

wechat_article_summary as {{ not_materialized() }} (

    select * from {{ source('raw', 'wechat_article_summary') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('wechat_article_summary', ['ref_date', 'msgid']) }}

),

final as (

    select
        -- <msg_data_id>_<index>: the CMS export's platform_item_id of the article
        trim(msgid) as msgid,
        title,
        -- reads of the article page are the article's views; *_user are distinct readers
        int_page_read_count as views,
        int_page_read_user as readers,
        ori_page_read_count as original_page_reads,
        ori_page_read_user as original_page_readers,
        share_count as shares,
        share_user as sharers,
        add_to_fav_count as favorites,
        add_to_fav_user as favoriting_users,
        -- Beijing calendar day (daily, not cumulative)
        ref_date as stat_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
