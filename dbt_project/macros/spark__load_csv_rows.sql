{#- dbt-spark's seed loading on Spark (overrides dbt-spark's: the root project's macros come first). Its `session`
    method substitutes each value as '<value>' unescaped, so a text with an apostrophe breaks the statement and an
    empty cell loads as the text 'None'; here every value is a SQL literal: NULL, true/false, a number, or a string
    with its quotes and backslashes escaped (Spark string literals use backslash escapes). -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(column, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- if value is none -%}{%- set literal = 'null' -%}
                    {%- elif value is sameas true or value is sameas false -%}
                        {%- set literal = value | string | lower -%}
                    {%- elif value is string -%}
                        {%- set literal = "'" ~ value.replace('\\', '\\\\').replace("'", "\\'") ~ "'" -%}
                    {%- elif value is number -%}{%- set literal = value | string -%}
                    {%- else -%}{%- set literal = "'" ~ value ~ "'" -%}
                    {%- endif -%}
                    cast({{ literal }} as {{ type }}){% if not loop.last %}, {% endif %}
                {%- endfor -%}){% if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}
