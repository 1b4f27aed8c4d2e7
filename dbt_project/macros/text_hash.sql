{#- GENERATED from growthmart/sentiment/text.py TEXT_HASH_SQL by `make manifest` (python -m
    growthmart.sources.generated): do not edit. The key of a mention text's sentiment score
    (nlp.mention_sentiment.text_hash, written by the scoring asset): the models join scores to mentions on it. -#}
{% macro text_hash(text) -%}
    {{ return(adapter.dispatch('text_hash', 'growthmart')(text)) }}
{%- endmacro %}

{% macro default__text_hash(text) -%}
    sha256(lower(trim(regexp_replace(nfc_normalize({{ text }}), '[\s\pZ]+', ' ', 'g'))))
{%- endmacro %}

{% macro spark__text_hash(text) -%}
    sha2(lower(trim(regexp_replace({{ text }}, r'[\s\pZ]+', ' '))), 256)
{%- endmacro %}
