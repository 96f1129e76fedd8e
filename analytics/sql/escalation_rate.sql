-- Share of turns that asked for a human agent, per experiment arm.
CREATE OR REPLACE VIEW escalation_rate AS
SELECT
    experiment_arm,
    COUNT(*) AS turns,
    COUNT(CASE WHEN escalated THEN 1 END) AS escalated_turns,
    CAST(COUNT(CASE WHEN escalated THEN 1 END) AS DOUBLE PRECISION) / COUNT(*) AS escalation_rate
FROM chat_turns
GROUP BY experiment_arm;
