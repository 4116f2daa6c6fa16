-- Frozen as members 0005 ran it; statements are separated by lines holding only "--;;".
DROP TRIGGER IF EXISTS tally_compound_insert
--;;
DROP TRIGGER IF EXISTS tally_compound_delete
--;;
DROP TRIGGER IF EXISTS tally_compound_move
--;;
DROP TRIGGER IF EXISTS tally_building_move
--;;
DROP TRIGGER IF EXISTS tally_household_insert
--;;
DROP TRIGGER IF EXISTS tally_household_delete
--;;
DROP TRIGGER IF EXISTS tally_household_move
--;;
DROP TRIGGER IF EXISTS tally_membership_insert
--;;
DROP TRIGGER IF EXISTS tally_membership_delete
--;;
DROP TRIGGER IF EXISTS tally_membership_change
