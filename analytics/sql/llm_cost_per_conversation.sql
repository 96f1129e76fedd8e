-- LLM tokens and cost per conversation, per arm. NULL until FinalReply carries them.
CREATE OR REPLACE VIEW llm_cost_per_conversation AS
SELECT
    experiment_arm,
    COUNT(*) AS conversations,
    CAST(SUM(llm_replies) AS BIGINT) AS llm_replies,
    CAST(SUM(prompt_tokens) AS BIGINT) AS prompt_tokens,
    CAST(SUM(completion_tokens) AS BIGINT) AS completion_tokens,
    SUM(cost_usd) AS cost_usd,
    SUM(cost_usd) / COUNT(*) AS cost_per_conversation
FROM chat_sessions
WHERE turns > 0
GROUP BY experiment_arm;
