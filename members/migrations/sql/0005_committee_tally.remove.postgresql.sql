-- Frozen as members 0005 ran it; statements are separated by lines holding only "--;;".
DROP TRIGGER IF EXISTS tally_compound_insert ON members_compound
--;;
DROP FUNCTION IF EXISTS sanhui_tally_compound_insert()
--;;
DROP TRIGGER IF EXISTS tally_compound_delete ON members_compound
--;;
DROP FUNCTION IF EXISTS sanhui_tally_compound_delete()
--;;
DROP TRIGGER IF EXISTS tally_compound_move ON members_compound
--;;
DROP FUNCTION IF EXISTS sanhui_tally_compound_move()
--;;
DROP TRIGGER IF EXISTS tally_building_move ON members_building
--;;
DROP FUNCTION IF EXISTS sanhui_tally_building_move()
--;;
DROP TRIGGER IF EXISTS tally_household_insert ON members_household
--;;
DROP FUNCTION IF EXISTS sanhui_tally_household_insert()
--;;
DROP TRIGGER IF EXISTS tally_household_delete ON members_household
--;;
DROP FUNCTION IF EXISTS sanhui_tally_household_delete()
--;;
DROP TRIGGER IF EXISTS tally_household_move ON members_household
--;;
DROP FUNCTION IF EXISTS sanhui_tally_household_move()
--;;
DROP TRIGGER IF EXISTS tally_membership_insert ON members_membership
--;;
DROP FUNCTION IF EXISTS sanhui_tally_membership_insert()
--;;
DROP TRIGGER IF EXISTS tally_membership_delete ON members_membership
--;;
DROP FUNCTION IF EXISTS sanhui_tally_membership_delete()
--;;
DROP TRIGGER IF EXISTS tally_membership_change ON members_membership
--;;
DROP FUNCTION IF EXISTS sanhui_tally_membership_change()
