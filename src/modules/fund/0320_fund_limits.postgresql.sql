-- PostgreSQL: no posting past 10^12 fen, whoever writes it. NOT VALID: checked on every new row,
-- while postings already written (before the cap) are left as they are.
ALTER TABLE fund_postings ADD CONSTRAINT fund_postings_in_range
    CHECK (amount_fen >= -1000000000000 AND amount_fen <= 1000000000000) NOT VALID;
