-- Share of turns resolved (chat_turns.resolved: an ok reply, in a session with no escalation
-- and no negative latest rating), per experiment arm (NULL until arms are assigned).
CREATE OR REPLACE VIEW resolution_rate AS
SELECT
    experiment_arm,
    COUNT(*) AS turns,
    COUNT(CASE WHEN reply_status = 'ok' THEN 1 END) AS ok_turns,
    COUNT(CASE WHEN resolved THEN 1 END) AS resolved_turns,
    CAST(COUNT(CASE WHEN resolved THEN 1 END) AS DOUBLE PRECISION) / COUNT(*) AS resolution_rate
FROM chat_turns
GROUP BY experiment_arm;
