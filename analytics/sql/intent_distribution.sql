-- Turns per intent (NULL: the intent stage never understood the turn), their share of all
-- turns and the mean confidence of the intent stage.
CREATE OR REPLACE VIEW intent_distribution AS
SELECT
    intent,
    COUNT(*) AS turns,
    CAST(COUNT(*) AS DOUBLE PRECISION) / CAST(SUM(COUNT(*)) OVER () AS DOUBLE PRECISION)
        AS turn_share,
    AVG(confidence) AS mean_confidence
FROM chat_turns
GROUP BY intent;
