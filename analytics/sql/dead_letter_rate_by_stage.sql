-- Dead letters per stage, and per turn received (each stage sees each turn about once).
CREATE OR REPLACE VIEW dead_letter_rate_by_stage AS
SELECT
    d.stage,
    COUNT(*) AS dead_letters,
    received.turns,
    CAST(COUNT(*) AS DOUBLE PRECISION) / NULLIF(received.turns, 0) AS dead_letter_rate
FROM chat_dead_letters AS d
CROSS JOIN (SELECT COUNT(*) AS turns FROM chat_turns) AS received
GROUP BY d.stage, received.turns;
