{#- The Shapley effect of one factor on the change of a product of factors: the factor's change times the mean,
    over every order in which the factors could change one by one, of the product of the other factors as they
    stand when it changes. For a x b x c the effect of a is
    (a1 - a0) x ((b0 c0 + b1 c1) / 3 + (b0 c1 + b1 c0) / 6); for a x b it is (a1 - a0) x (b0 + b1) / 2, the
    midpoint weights of the classic mix / rate split. The effects of all factors add up exactly to
    product(now) - product(before), and a factor that is 0 in one period needs no logarithm (LMDI would).
    `before` / `now`: the factors' SQL expressions in the earlier / later period, in the same order (none NULL);
    `factor`: the index of the factor whose effect this is; `change`: the part of that factor's change to
    attribute (default now - before), e.g. one channel's share of a total's change. Weights k!(n-1-k)!/n! per
    number k of the other factors taken at their later value (docs/metrics.md, rpt_kpi_drivers). -#}
{% macro shapley_effect(before, now, factor, change=none) -%}
    {%- set n = before | length -%}
    {%- set others = range(n) | reject('equalto', factor) | list -%}
    {%- set ns = namespace(levels={}) -%}
    {%- for mask in range(2 ** (n - 1)) -%}
        {%- set ns2 = namespace(terms=[], k=0) -%}
        {%- for j in others -%}
            {%- if (mask // (2 ** loop.index0)) % 2 == 1 -%}
                {%- set ns2.terms = ns2.terms + ['(' ~ now[j] ~ ')'] -%}
                {%- set ns2.k = ns2.k + 1 -%}
            {%- else -%}
                {%- set ns2.terms = ns2.terms + ['(' ~ before[j] ~ ')'] -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do ns.levels.setdefault(ns2.k, []).append(ns2.terms | join(' * ') if ns2.terms else '1') -%}
    {%- endfor -%}
    {%- set weighted = [] -%}
    {%- for k in ns.levels | sort -%}
        {#- n! / (k! (n-1-k)!): how many orders share one weight -#}
        {%- set ns3 = namespace(den=1) -%}
        {%- for i in range(1, n + 1) %}{% set ns3.den = ns3.den * i %}{% endfor -%}
        {%- for i in range(1, k + 1) %}{% set ns3.den = ns3.den // i %}{% endfor -%}
        {%- for i in range(1, n - k) %}{% set ns3.den = ns3.den // i %}{% endfor -%}
        {%- do weighted.append('cast(' ~ ns.levels[k] | join(' + ') ~ ' as ' ~ type_double() ~ ') / ' ~ ns3.den) -%}
    {%- endfor -%}
    cast({{ change if change is not none else '(' ~ now[factor] ~ ') - (' ~ before[factor] ~ ')' }} as {{ type_double() }})
    * ({{ weighted | join(' + ') }})
{%- endmacro %}
