-- The headline rates side by side per experiment arm: the A/B comparison. Until arms are
-- assigned there is one row, arm NULL, holding the overall figures.
CREATE OR REPLACE VIEW experiment_comparison AS
SELECT
    r.experiment_arm,
    r.turns,
    r.resolution_rate,
    e.escalation_rate,
    c.conversations,
    c.containment_rate,
    s.csat_rate,
    l.cost_per_conversation,
    v.conversion_rate
FROM resolution_rate AS r
LEFT JOIN escalation_rate AS e ON e.experiment_arm IS NOT DISTINCT FROM r.experiment_arm
LEFT JOIN containment_rate AS c ON c.experiment_arm IS NOT DISTINCT FROM r.experiment_arm
LEFT JOIN csat AS s ON s.experiment_arm IS NOT DISTINCT FROM r.experiment_arm
LEFT JOIN llm_cost_per_conversation AS l
    ON l.experiment_arm IS NOT DISTINCT FROM r.experiment_arm
LEFT JOIN conversion AS v ON v.experiment_arm IS NOT DISTINCT FROM r.experiment_arm;
