-- Frozen as decisions 0003 ran it; statements are separated by lines holding only "--;;".
DROP TRIGGER IF EXISTS turnout_count ON deliberation_participation
--;;
DROP FUNCTION IF EXISTS sanhui_turnout_count()
