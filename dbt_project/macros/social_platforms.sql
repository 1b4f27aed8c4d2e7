{#- GENERATED from growthmart/contracts.py by `make manifest` (python -m growthmart.sources.generated): do not edit.
    The declared social platforms of the brand and competitor sources (SOCIAL_PLATFORMS): key, the labels
    readers see (Chinese, English) and the platform's chart colour. -#}
{% macro social_platforms() -%}
    {{ return([
        {
            'key': 'weibo',
            'label_zh': '微博',
            'label_en': 'Weibo',
            'color': '#d83931'
        },
        {
            'key': 'douyin',
            'label_zh': '抖音',
            'label_en': 'Douyin',
            'color': '#3d4a5c'
        },
        {
            'key': 'xiaohongshu',
            'label_zh': '小红书',
            'label_en': 'Xiaohongshu',
            'color': '#ed4a7b'
        },
        {
            'key': 'zhihu',
            'label_zh': '知乎',
            'label_en': 'Zhihu',
            'color': '#2f6fde'
        },
        {
            'key': 'bilibili',
            'label_zh': '哔哩哔哩',
            'label_en': 'Bilibili',
            'color': '#13a4b4'
        },
        {
            'key': 'wechat',
            'label_zh': '微信',
            'label_en': 'WeChat',
            'color': '#19a979'
        }
    ]) }}
{%- endmacro %}
