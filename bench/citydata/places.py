"""Streets, committees, compounds and buildings of the district."""

import math

from bench.citydata.common import City, copy, next_id
from members.models import Building, Committee, Compound, Street


def generate(city: City) -> dict[str, int]:
    streets = math.ceil(city.committees / city.committees_per_street)
    first = next_id(Street)
    city.street_ids = list(range(first, first + streets))
    copy(Street, ["id", "name", "district"], ((sid, f"街道{sid}", "压测区") for sid in city.street_ids))

    first = next_id(Committee)
    city.committee_ids = list(range(first, first + city.committees))
    copy(Committee, ["id", "street_id", "name", "address"],
         ((cid, city.street_ids[i // city.committees_per_street], f"居民区{cid}", "")
          for i, cid in enumerate(city.committee_ids)))

    households = math.ceil(city.residents_per_committee / city.people_per_household)
    buildings = math.ceil(households / city.households_per_building)
    compounds = math.ceil(buildings / city.buildings_per_compound)
    compound_rows, building_rows = [], []
    compound_id, building_id = next_id(Compound), next_id(Building)
    for cid in city.committee_ids:
        city.buildings_of[cid] = []
        for c in range(compounds):
            compound_rows.append((compound_id, cid, f"小区{c + 1}"))
            for b in range(city.buildings_per_compound):
                if len(city.buildings_of[cid]) == buildings:
                    break
                building_rows.append((building_id, compound_id, f"{b + 1}号楼"))
                city.buildings_of[cid].append(building_id)
                building_id += 1
            compound_id += 1
    copy(Compound, ["id", "committee_id", "name"], compound_rows)
    copy(Building, ["id", "compound_id", "name"], building_rows)
    return {"streets": streets, "committees": city.committees, "compounds": len(compound_rows),
            "buildings": len(building_rows)}
