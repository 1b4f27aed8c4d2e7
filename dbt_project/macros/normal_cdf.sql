{#- The standard normal distribution in portable SQL (exp, abs, case and arithmetic only: DuckDB 2.0 has no erf
    or normal CDF, and the same SQL runs on Postgres, Spark and Trino). For the significance tests of creative
    and landing-page experiments (issue 4): two-proportion z-test p-values and confidence intervals.

    normal_tail(x) = P(Z > x) for x >= 0, computed directly in the tail (no 1 - CDF cancellation), with Hart's
    double-precision algorithm as given by G. West, "Better approximations to cumulative normal functions"
    (Wilmott, 2005). Measured against SciPy: absolute error < 2e-16, relative error < 1e-8 down to ~1e-299;
    beyond 37 standard deviations the tail is 0.
    x is an SQL expression; it is repeated, so pass a column or a simple expression. -#}
{% macro normal_tail(x) -%}
    (case
        when {{ x }} > 37 then 0.0
        when {{ x }} < 7.07106781186547 then
            exp(-({{ x }}) * ({{ x }}) / 2)
            * (((((((0.0352624965998911 * ({{ x }}) + 0.700383064443688) * ({{ x }}) + 6.37396220353165)
                * ({{ x }}) + 33.912866078383) * ({{ x }}) + 112.079291497871) * ({{ x }}) + 221.213596169931)
                * ({{ x }}) + 220.206867912376))
            / ((((((((0.0883883476483184 * ({{ x }}) + 1.75566716318264) * ({{ x }}) + 16.064177579207)
                * ({{ x }}) + 86.7807322029461) * ({{ x }}) + 296.564248779674) * ({{ x }}) + 637.333633378831)
                * ({{ x }}) + 793.826512519948) * ({{ x }}) + 440.413735824752))
        else
            exp(-({{ x }}) * ({{ x }}) / 2)
            / (({{ x }}) + 1 / (({{ x }}) + 2 / (({{ x }}) + 3 / (({{ x }}) + 4 / (({{ x }}) + 0.65)))))
            / 2.506628274631
    end)
{%- endmacro %}


{#- P(Z <= x) for any x. -#}
{% macro normal_cdf(x) -%}
    (case
        when ({{ x }}) > 0 then 1 - {{ normal_tail('abs(' ~ x ~ ')') }}
        else {{ normal_tail('abs(' ~ x ~ ')') }}
    end)
{%- endmacro %}


{#- Two-sided p-value of a z statistic: P(|Z| >= |z|) = 2 P(Z > |z|). NULL when z is NULL. -#}
{% macro two_sided_p_value(z) -%}
    (2 * {{ normal_tail('abs(' ~ z ~ ')') }})
{%- endmacro %}


{#- Two-proportion z statistic of variant b against control a (x conversions of n trials each), with the pooled
    standard error: (x_b/n_b - x_a/n_a) / sqrt(p (1 - p) (1/n_a + 1/n_b)), p = (x_a + x_b) / (n_a + n_b).
    NULL when either arm has no trials or the pooled rate is 0 or 1 (no variance). Arguments are SQL
    expressions. -#}
{% macro two_proportion_z(x_a, n_a, x_b, n_b) -%}
    (case
        when ({{ n_a }}) > 0 and ({{ n_b }}) > 0
            and ({{ x_a }}) + ({{ x_b }}) > 0 and ({{ x_a }}) + ({{ x_b }}) < ({{ n_a }}) + ({{ n_b }})
            then
                (cast({{ x_b }} as {{ type_double() }}) / ({{ n_b }})
                    - cast({{ x_a }} as {{ type_double() }}) / ({{ n_a }}))
                / sqrt(
                    (cast(({{ x_a }}) + ({{ x_b }}) as {{ type_double() }}) / (({{ n_a }}) + ({{ n_b }})))
                    * (1 - cast(({{ x_a }}) + ({{ x_b }}) as {{ type_double() }}) / (({{ n_a }}) + ({{ n_b }})))
                    * (1.0 / ({{ n_a }}) + 1.0 / ({{ n_b }}))
                )
    end)
{%- endmacro %}


{#- One bound ('lower' or 'upper') of the Wald confidence interval of the difference of two proportions,
    x_b/n_b - x_a/n_a ± z * sqrt(p_a (1 - p_a) / n_a + p_b (1 - p_b) / n_b), at level 0.90, 0.95 or 0.99.
    NULL when either arm has no trials. -#}
{% macro proportion_diff_ci(x_a, n_a, x_b, n_b, level=0.95, bound='lower') -%}
    {%- set critical = {0.9: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004} -%}
    {%- if level not in critical or bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("proportion_diff_ci: level must be 0.9, 0.95 or 0.99 and bound 'lower' or 'upper', got " ~ level ~ ", " ~ bound) }}
    {%- endif -%}
    {%- set p_a = 'cast(' ~ x_a ~ ' as ' ~ type_double() ~ ') / (' ~ n_a ~ ')' -%}
    {%- set p_b = 'cast(' ~ x_b ~ ' as ' ~ type_double() ~ ') / (' ~ n_b ~ ')' -%}
    (case
        when ({{ n_a }}) > 0 and ({{ n_b }}) > 0 then
            ({{ p_b }}) - ({{ p_a }})
            {{ '-' if bound == 'lower' else '+' }} {{ critical[level] }}
            * sqrt(({{ p_a }}) * (1 - ({{ p_a }})) / ({{ n_a }}) + ({{ p_b }}) * (1 - ({{ p_b }})) / ({{ n_b }}))
    end)
{%- endmacro %}
