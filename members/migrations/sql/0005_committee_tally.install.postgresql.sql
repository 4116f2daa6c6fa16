-- Frozen as members 0005 ran it; statements are separated by lines holding only "--;;".
CREATE OR REPLACE FUNCTION sanhui_tally_compound_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count) SELECT id, 0, 0, 0, 1 FROM members_committee WHERE id = NEW.committee_id ON CONFLICT (committee_id) DO UPDATE SET household_count = members_committeetally.household_count + excluded.household_count, resident_count = members_committeetally.resident_count + excluded.resident_count, pending_count = members_committeetally.pending_count + excluded.pending_count, compound_count = members_committeetally.compound_count + excluded.compound_count; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_compound_insert AFTER INSERT ON members_compound FOR EACH ROW EXECUTE FUNCTION sanhui_tally_compound_insert()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_compound_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE members_committeetally SET household_count = household_count - 0, resident_count = resident_count - 0, pending_count = pending_count - 0, compound_count = compound_count - 1 WHERE committee_id = (OLD.committee_id); RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_compound_delete AFTER DELETE ON members_compound FOR EACH ROW EXECUTE FUNCTION sanhui_tally_compound_delete()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_compound_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN 
INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count)
SELECT c.id, COALESCE(h.n, 0), COALESCE(m.verified, 0), COALESCE(m.pending, 0), COALESCE(p.n, 0)
  FROM members_committee c
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_compound r_cp
              WHERE r_cp.committee_id IN (OLD.committee_id, NEW.committee_id) GROUP BY r_cp.committee_id) p ON p.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_household r_h
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_cp.committee_id IN (OLD.committee_id, NEW.committee_id) GROUP BY r_cp.committee_id) h ON h.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, SUM((CASE WHEN r_m.status = 'verified' THEN 1 ELSE 0 END)) AS verified,
                    SUM((CASE WHEN r_m.status = 'pending' THEN 1 ELSE 0 END)) AS pending
               FROM members_membership r_m
               JOIN members_household r_h ON r_h.id = r_m.household_id
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_m.status IN ('verified', 'pending') AND r_cp.committee_id IN (OLD.committee_id, NEW.committee_id)
              GROUP BY r_cp.committee_id) m ON m.committee_id = c.id
 WHERE c.id IN (OLD.committee_id, NEW.committee_id)
ON CONFLICT (committee_id) DO UPDATE SET household_count = excluded.household_count, resident_count = excluded.resident_count, pending_count = excluded.pending_count, compound_count = excluded.compound_count; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_compound_move AFTER UPDATE OF committee_id ON members_compound FOR EACH ROW WHEN (OLD.committee_id IS DISTINCT FROM NEW.committee_id) EXECUTE FUNCTION sanhui_tally_compound_move()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_building_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN 
INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count)
SELECT c.id, COALESCE(h.n, 0), COALESCE(m.verified, 0), COALESCE(m.pending, 0), COALESCE(p.n, 0)
  FROM members_committee c
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_compound r_cp
              WHERE r_cp.committee_id IN (SELECT t_cp.committee_id FROM members_compound t_cp WHERE t_cp.id IN (OLD.compound_id, NEW.compound_id)) GROUP BY r_cp.committee_id) p ON p.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_household r_h
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_cp.committee_id IN (SELECT t_cp.committee_id FROM members_compound t_cp WHERE t_cp.id IN (OLD.compound_id, NEW.compound_id)) GROUP BY r_cp.committee_id) h ON h.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, SUM((CASE WHEN r_m.status = 'verified' THEN 1 ELSE 0 END)) AS verified,
                    SUM((CASE WHEN r_m.status = 'pending' THEN 1 ELSE 0 END)) AS pending
               FROM members_membership r_m
               JOIN members_household r_h ON r_h.id = r_m.household_id
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_m.status IN ('verified', 'pending') AND r_cp.committee_id IN (SELECT t_cp.committee_id FROM members_compound t_cp WHERE t_cp.id IN (OLD.compound_id, NEW.compound_id))
              GROUP BY r_cp.committee_id) m ON m.committee_id = c.id
 WHERE c.id IN (SELECT t_cp.committee_id FROM members_compound t_cp WHERE t_cp.id IN (OLD.compound_id, NEW.compound_id))
ON CONFLICT (committee_id) DO UPDATE SET household_count = excluded.household_count, resident_count = excluded.resident_count, pending_count = excluded.pending_count, compound_count = excluded.compound_count; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_building_move AFTER UPDATE OF compound_id ON members_building FOR EACH ROW WHEN (OLD.compound_id IS DISTINCT FROM NEW.compound_id) EXECUTE FUNCTION sanhui_tally_building_move()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_household_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count) SELECT t_cp.committee_id, 1, 0, 0, 0 FROM members_building t_b JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_b.id = NEW.building_id ON CONFLICT (committee_id) DO UPDATE SET household_count = members_committeetally.household_count + excluded.household_count, resident_count = members_committeetally.resident_count + excluded.resident_count, pending_count = members_committeetally.pending_count + excluded.pending_count, compound_count = members_committeetally.compound_count + excluded.compound_count; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_household_insert AFTER INSERT ON members_household FOR EACH ROW EXECUTE FUNCTION sanhui_tally_household_insert()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_household_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE members_committeetally SET household_count = household_count - 1, resident_count = resident_count - 0, pending_count = pending_count - 0, compound_count = compound_count - 0 WHERE committee_id = (SELECT t_cp.committee_id FROM members_building t_b JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_b.id = OLD.building_id); RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_household_delete AFTER DELETE ON members_household FOR EACH ROW EXECUTE FUNCTION sanhui_tally_household_delete()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_household_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN 
INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count)
SELECT c.id, COALESCE(h.n, 0), COALESCE(m.verified, 0), COALESCE(m.pending, 0), COALESCE(p.n, 0)
  FROM members_committee c
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_compound r_cp
              WHERE r_cp.committee_id IN (SELECT t_cp.committee_id FROM members_building t_b JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_b.id IN (OLD.building_id, NEW.building_id)) GROUP BY r_cp.committee_id) p ON p.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_household r_h
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_cp.committee_id IN (SELECT t_cp.committee_id FROM members_building t_b JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_b.id IN (OLD.building_id, NEW.building_id)) GROUP BY r_cp.committee_id) h ON h.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, SUM((CASE WHEN r_m.status = 'verified' THEN 1 ELSE 0 END)) AS verified,
                    SUM((CASE WHEN r_m.status = 'pending' THEN 1 ELSE 0 END)) AS pending
               FROM members_membership r_m
               JOIN members_household r_h ON r_h.id = r_m.household_id
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_m.status IN ('verified', 'pending') AND r_cp.committee_id IN (SELECT t_cp.committee_id FROM members_building t_b JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_b.id IN (OLD.building_id, NEW.building_id))
              GROUP BY r_cp.committee_id) m ON m.committee_id = c.id
 WHERE c.id IN (SELECT t_cp.committee_id FROM members_building t_b JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_b.id IN (OLD.building_id, NEW.building_id))
ON CONFLICT (committee_id) DO UPDATE SET household_count = excluded.household_count, resident_count = excluded.resident_count, pending_count = excluded.pending_count, compound_count = excluded.compound_count; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_household_move AFTER UPDATE OF building_id ON members_household FOR EACH ROW WHEN (OLD.building_id IS DISTINCT FROM NEW.building_id) EXECUTE FUNCTION sanhui_tally_household_move()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_membership_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count) SELECT t_cp.committee_id, 0, (CASE WHEN NEW.status = 'verified' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'pending' THEN 1 ELSE 0 END), 0 FROM members_household t_h JOIN members_building t_b ON t_b.id = t_h.building_id JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_h.id = NEW.household_id AND NEW.status IN ('verified', 'pending') ON CONFLICT (committee_id) DO UPDATE SET household_count = members_committeetally.household_count + excluded.household_count, resident_count = members_committeetally.resident_count + excluded.resident_count, pending_count = members_committeetally.pending_count + excluded.pending_count, compound_count = members_committeetally.compound_count + excluded.compound_count; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_membership_insert AFTER INSERT ON members_membership FOR EACH ROW EXECUTE FUNCTION sanhui_tally_membership_insert()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_membership_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE members_committeetally SET household_count = household_count - 0, resident_count = resident_count - (CASE WHEN OLD.status = 'verified' THEN 1 ELSE 0 END), pending_count = pending_count - (CASE WHEN OLD.status = 'pending' THEN 1 ELSE 0 END), compound_count = compound_count - 0 WHERE committee_id = (SELECT t_cp.committee_id FROM members_household t_h JOIN members_building t_b ON t_b.id = t_h.building_id JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_h.id = OLD.household_id); RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_membership_delete AFTER DELETE ON members_membership FOR EACH ROW EXECUTE FUNCTION sanhui_tally_membership_delete()
--;;
CREATE OR REPLACE FUNCTION sanhui_tally_membership_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE members_committeetally SET household_count = household_count - 0, resident_count = resident_count - (CASE WHEN OLD.status = 'verified' THEN 1 ELSE 0 END), pending_count = pending_count - (CASE WHEN OLD.status = 'pending' THEN 1 ELSE 0 END), compound_count = compound_count - 0 WHERE committee_id = (SELECT t_cp.committee_id FROM members_household t_h JOIN members_building t_b ON t_b.id = t_h.building_id JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_h.id = OLD.household_id); INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count) SELECT t_cp.committee_id, 0, (CASE WHEN NEW.status = 'verified' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'pending' THEN 1 ELSE 0 END), 0 FROM members_household t_h JOIN members_building t_b ON t_b.id = t_h.building_id JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_h.id = NEW.household_id AND NEW.status IN ('verified', 'pending') ON CONFLICT (committee_id) DO UPDATE SET household_count = members_committeetally.household_count + excluded.household_count, resident_count = members_committeetally.resident_count + excluded.resident_count, pending_count = members_committeetally.pending_count + excluded.pending_count, compound_count = members_committeetally.compound_count + excluded.compound_count; RETURN NULL; END $$
--;;
CREATE OR REPLACE TRIGGER tally_membership_change AFTER UPDATE OF status, household_id ON members_membership FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.household_id IS DISTINCT FROM NEW.household_id) EXECUTE FUNCTION sanhui_tally_membership_change()
