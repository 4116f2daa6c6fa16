-- Frozen as decisions 0003 ran it; statements are separated by lines holding only "--;;".
DROP TRIGGER IF EXISTS turnout_count
