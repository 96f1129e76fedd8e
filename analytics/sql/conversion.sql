-- Conversations that were shown products, clicked one, or ordered, per arm. The counts stay 0
-- and the rates NULL until replies carry products and click/order events exist.
CREATE OR REPLACE VIEW conversion AS
SELECT
    experiment_arm,
    COUNT(*) AS conversations,
    COUNT(CASE WHEN products_shown > 0 THEN 1 END) AS shown_products,
    COUNT(CASE WHEN products_clicked > 0 THEN 1 END) AS clicked,
    COUNT(CASE WHEN orders_placed > 0 THEN 1 END) AS ordered,
    CAST(COUNT(CASE WHEN products_clicked > 0 THEN 1 END) AS DOUBLE PRECISION)
    / NULLIF(COUNT(CASE WHEN products_shown > 0 THEN 1 END), 0) AS click_rate,
    CAST(COUNT(CASE WHEN orders_placed > 0 THEN 1 END) AS DOUBLE PRECISION)
    / NULLIF(COUNT(orders_placed), 0) AS conversion_rate
FROM chat_sessions
WHERE turns > 0
GROUP BY experiment_arm;
