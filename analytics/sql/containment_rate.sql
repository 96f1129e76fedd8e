-- Share of conversations (sessions with at least one turn) that never escalated, per arm.
CREATE OR REPLACE VIEW containment_rate AS
SELECT
    experiment_arm,
    COUNT(*) AS conversations,
    COUNT(CASE WHEN contained THEN 1 END) AS contained_conversations,
    CAST(COUNT(CASE WHEN contained THEN 1 END) AS DOUBLE PRECISION) / COUNT(*)
        AS containment_rate
FROM chat_sessions
WHERE turns > 0
GROUP BY experiment_arm;
