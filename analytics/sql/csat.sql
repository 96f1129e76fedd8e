-- Customer satisfaction: up / (up + down) over the latest rating of each rated turn, per arm.
CREATE OR REPLACE VIEW csat AS
SELECT
    experiment_arm,
    COUNT(CASE WHEN feedback_rating = 'up' THEN 1 END) AS rated_up,
    COUNT(CASE WHEN feedback_rating = 'down' THEN 1 END) AS rated_down,
    CAST(COUNT(CASE WHEN feedback_rating = 'up' THEN 1 END) AS DOUBLE PRECISION)
    / NULLIF(COUNT(feedback_rating), 0) AS csat_rate
FROM chat_turns
GROUP BY experiment_arm;
