{#- GENERATED from growthmart/contracts.py by `make manifest` (python -m growthmart.sources.generated): do not edit.
    The declared ad platforms: key, raw source, staging model, report day and key columns (quoted), spend
    and its ISO currency as SQL over a raw row, the labels readers see (Chinese, English; None: unset) and
    the platform's chart colour (None: unset). -#}
{% macro ad_platforms() -%}
    {{ return([
        {
            'key': 'ocean_engine',
            'source': 'ocean_engine_ad_stats',
            'staging_model': 'stg_ocean_engine__ad_stats',
            'report_date_column': adapter.quote('日期'),
            'key_columns': [adapter.quote('日期'), adapter.quote('广告ID')],
            'spend_sql': adapter.quote('消耗(元)'),
            'currency_sql': "'CNY'",
            'label_zh': '巨量引擎',
            'label_en': 'Ocean Engine',
            'color': '#525df4'
        },
        {
            'key': 'tencent_ads',
            'source': 'tencent_ads_daily_reports',
            'staging_model': 'stg_tencent_ads__daily_reports',
            'report_date_column': adapter.quote('date'),
            'key_columns': [adapter.quote('date'), adapter.quote('dynamic_creative_id')],
            'spend_sql': 'cost / 100.0',
            'currency_sql': "'CNY'",
            'label_zh': '腾讯广告',
            'label_en': 'Tencent Ads',
            'color': '#19a979'
        },
        {
            'key': 'baidu',
            'source': 'baidu_keyword_stats',
            'staging_model': 'stg_baidu__keyword_stats',
            'report_date_column': adapter.quote('日期'),
            'key_columns': [adapter.quote('日期'), adapter.quote('关键词ID')],
            'spend_sql': adapter.quote('消费'),
            'currency_sql': "'CNY'",
            'label_zh': '百度营销',
            'label_en': 'Baidu Ads',
            'color': '#2f6fde'
        },
        {
            'key': 'meta',
            'source': 'meta_ads_insights',
            'staging_model': 'stg_meta_ads__insights',
            'report_date_column': adapter.quote('date_start'),
            'key_columns': [adapter.quote('date_start'), adapter.quote('ad_id')],
            'spend_sql': 'spend',
            'currency_sql': 'upper(trim(' ~ adapter.quote('account_currency') ~ '))',
            'label_zh': 'Meta广告',
            'label_en': 'Meta Ads',
            'color': '#945ecf'
        },
        {
            'key': 'xiaohongshu_ads',
            'source': 'xiaohongshu_ads_reports',
            'staging_model': 'stg_xiaohongshu_ads__reports',
            'report_date_column': adapter.quote('time'),
            'key_columns': [adapter.quote('time'), adapter.quote('creativity_id')],
            'spend_sql': 'fee',
            'currency_sql': "'CNY'",
            'label_zh': '小红书聚光',
            'label_en': 'Xiaohongshu Spotlight',
            'color': '#ed4a7b'
        },
        {
            'key': 'google_ads',
            'source': 'google_ads_ad_stats',
            'staging_model': 'stg_google_ads__ad_stats',
            'report_date_column': adapter.quote('segments.date'),
            'key_columns': [adapter.quote('segments.date'), adapter.quote('ad_group_ad.ad.id')],
            'spend_sql': adapter.quote('metrics.cost_micros') ~ ' / 1000000.0',
            'currency_sql': 'upper(trim(' ~ adapter.quote('customer.currency_code') ~ '))',
            'label_zh': '谷歌广告',
            'label_en': 'Google Ads',
            'color': '#e8743b'
        }
    ]) }}
{%- endmacro %}
