-- Frozen as members 0005 ran it; statements are separated by lines holding only "--;;".
INSERT INTO members_committeetally (committee_id, household_count, resident_count, pending_count, compound_count)
SELECT c.id, COALESCE(h.n, 0), COALESCE(m.verified, 0), COALESCE(m.pending, 0), COALESCE(p.n, 0)
  FROM members_committee c
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_compound r_cp
              WHERE 1 = 1 GROUP BY r_cp.committee_id) p ON p.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_household r_h
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE 1 = 1 GROUP BY r_cp.committee_id) h ON h.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, SUM((CASE WHEN r_m.status = 'verified' THEN 1 ELSE 0 END)) AS verified,
                    SUM((CASE WHEN r_m.status = 'pending' THEN 1 ELSE 0 END)) AS pending
               FROM members_membership r_m
               JOIN members_household r_h ON r_h.id = r_m.household_id
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_m.status IN ('verified', 'pending') AND 1 = 1
              GROUP BY r_cp.committee_id) m ON m.committee_id = c.id
 WHERE 1 = 1
ON CONFLICT (committee_id) DO UPDATE SET household_count = excluded.household_count, resident_count = excluded.resident_count, pending_count = excluded.pending_count, compound_count = excluded.compound_count
