-- Every experiment in the registry has exactly one control variant: lift, p-value and confidence interval
-- compare each variant with it, so none or two would make the A/B report meaningless.

select
    experiment_id,
    count(case when is_control then 1 end) as control_variants
from {{ ref('stg_reference__experiments') }}
where is_in_latest_snapshot
group by experiment_id
having count(case when is_control then 1 end) <> 1
