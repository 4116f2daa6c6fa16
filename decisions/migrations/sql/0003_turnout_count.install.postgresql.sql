-- Frozen as decisions 0003 ran it; statements are separated by lines holding only "--;;".
CREATE OR REPLACE FUNCTION sanhui_turnout_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO decisions_turnoutcount (ballot_id, shard, voices, area) SELECT NEW.ballot_id, NEW.voice_id % 16, 1, COALESCE(v.floor_area, 0) FROM deliberation_voice v WHERE v.id = NEW.voice_id ON CONFLICT (ballot_id, shard) DO UPDATE SET voices = decisions_turnoutcount.voices + 1, area = decisions_turnoutcount.area + excluded.area; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER turnout_count AFTER INSERT ON deliberation_participation FOR EACH ROW WHEN (NEW.version = 1) EXECUTE FUNCTION sanhui_turnout_count()
--;;
INSERT INTO decisions_turnoutcount (ballot_id, shard, voices, area) SELECT p.ballot_id, p.voice_id % 16, COUNT(*), COALESCE(SUM(v.floor_area), 0) FROM deliberation_participation p JOIN deliberation_voice v ON v.id = p.voice_id WHERE p.version = 1 AND 1 = 1 GROUP BY p.ballot_id, p.voice_id % 16
