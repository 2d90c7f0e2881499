-- rankme schema, version 5: RankMe's sister metrics (DESIGN.md §2) are scores like RankMe, one row
-- per metric with its settings; α-ReQ's fit quality is kept beside its value.

-- R² of α-ReQ's weighted least-squares fit (NULL for every other metric).
ALTER TABLE scores ADD COLUMN r_squared REAL;
