-- Share of shown replies carrying each guardrail flag (category), e.g. pii or length.
CREATE OR REPLACE VIEW guardrail_rate_by_category AS
SELECT
    f.category,
    COUNT(DISTINCT f.event_id) AS flagged_replies,
    shown.replies,
    CAST(COUNT(DISTINCT f.event_id) AS DOUBLE PRECISION) / shown.replies AS flag_rate
FROM chat_reply_flags AS f
CROSS JOIN (SELECT COUNT(*) AS replies FROM chat_replies WHERE is_shown) AS shown
WHERE f.is_shown
GROUP BY f.category, shown.replies;
