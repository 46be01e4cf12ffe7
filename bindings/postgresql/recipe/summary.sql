-- SPDX-License-Identifier: Apache-2.0
-- The per-customer summary of an orders table, in plain SQL (no extension needed): lifetimes'
-- definitions, exactly as `ltv summarize` computes them (docs/summaries.md, docs/sql.md).
--
-- Input: a table or view ltv_orders(customer_id text, order_date date, amount numeric) — one row
-- per order; make it a view over your own tables (casting a timestamp to date, choosing which
-- orders count). All orders of a customer on one day are one purchase, worth their sum.
--
--   frequency       purchase days − 1 (repeat purchases)
--   recency         last purchase day − first purchase day, in the time unit
--   T               observation end − first purchase day, in the time unit
--   monetary_value  mean spend of the repeat purchase days (0 when frequency = 0)
--
-- time_unit_days: 1 (days), 7 (weeks), 30 (months of 30 days) or any number of days.
-- observation_end: the last day observed, inclusive; later orders are ignored; NULL = the last
-- order day.

CREATE OR REPLACE FUNCTION ltv_customer_summary(observation_end date, time_unit_days float8)
RETURNS TABLE (customer_id text, frequency float8, recency float8, "T" float8,
               monetary_value float8)
LANGUAGE sql STABLE AS $$
  WITH period AS (
    SELECT coalesce(observation_end, (SELECT max(o.order_date) FROM ltv_orders o)) AS last_day
  ),
  purchase_days AS (             -- one row per customer and purchase day: the day's spend
    SELECT o.customer_id, o.order_date AS day, sum(o.amount) AS spend
    FROM ltv_orders o, period
    WHERE o.order_date <= period.last_day
    GROUP BY o.customer_id, o.order_date
  ),
  customers AS (
    SELECT d.customer_id, count(*) - 1 AS x, min(d.day) AS first_day, max(d.day) AS last_day,
           sum(d.spend) AS total
    FROM purchase_days d
    GROUP BY d.customer_id
  ),
  repeat_spend AS (              -- the spend of the repeat purchase days (all but the first)
    SELECT d.customer_id, sum(d.spend) AS spend
    FROM purchase_days d JOIN customers c USING (customer_id)
    WHERE d.day > c.first_day
    GROUP BY d.customer_id
  )
  SELECT c.customer_id,
         c.x::float8,
         (c.last_day - c.first_day)::float8 / time_unit_days,
         (period.last_day - c.first_day)::float8 / time_unit_days,
         CASE WHEN c.x = 0 THEN 0 ELSE r.spend::float8 / c.x END
  FROM customers c CROSS JOIN period LEFT JOIN repeat_spend r USING (customer_id)
$$;

-- The calibration/holdout split: the summary above on the orders up to calibration_end (T
-- measured to it), and for (calibration_end, observation_end] the purchase days
-- (frequency_holdout, all of them), their mean spend (monetary_value_holdout, 0 without any) and
-- the holdout length (duration_holdout). Customers whose first purchase is in the holdout are
-- not in it. observation_end NULL = the last order day; it must not precede calibration_end.
CREATE OR REPLACE FUNCTION ltv_calibration_holdout(calibration_end date, observation_end date,
                                                   time_unit_days float8)
RETURNS TABLE (customer_id text, frequency float8, recency float8, "T" float8,
               monetary_value float8, frequency_holdout float8, monetary_value_holdout float8,
               duration_holdout float8)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  last_day date := coalesce(observation_end, (SELECT max(o.order_date) FROM ltv_orders o));
BEGIN
  IF calibration_end IS NULL OR last_day < calibration_end THEN
    RAISE EXCEPTION 'ltv_calibration_holdout: calibration_end % is after the observation end % '
                    '(the holdout period would be negative)', calibration_end, last_day
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH holdout_days AS (
    SELECT o.customer_id, o.order_date AS day, sum(o.amount) AS spend
    FROM ltv_orders o
    WHERE o.order_date > calibration_end AND o.order_date <= last_day
    GROUP BY o.customer_id, o.order_date
  ),
  holdout AS (
    SELECT h.customer_id, count(*) AS n, sum(h.spend) AS spend
    FROM holdout_days h GROUP BY h.customer_id
  )
  SELECT s.customer_id, s.frequency, s.recency, s."T", s.monetary_value,
         coalesce(h.n, 0)::float8,
         coalesce(h.spend::float8 / h.n, 0),
         (last_day - calibration_end)::float8 / time_unit_days
  FROM ltv_customer_summary(calibration_end, time_unit_days) s
  LEFT JOIN holdout h USING (customer_id);
END
$$;
