"""Register feeds: regions, households, persons, kinship, staff, relative filings and the
shared identifiers (phones, addresses, bank accounts)."""

from __future__ import annotations

from typing import Any

from domain.names import latin_name
from domain.partner_changes import ChangeKind, append_changes
from loaders.feeds.base import Feed, replace_single
from loaders.references import Ref, RefKind
from loaders.rows import registers as rows
from loaders.rows.common import FeedRow

UPSERT_REGIONS = """
UNWIND $rows AS row
MATCH (c:County {code: $county_code})
MERGE (t:Township {code: row.township_code})
SET t.name = row.township_name, t.population = coalesce(row.township_population, t.population)
MERGE (t)-[:IN_COUNTY]->(c)
MERGE (v:Village {code: row.village_code})
SET v.name = row.village_name, v.kind = row.village_kind, v.township_code = row.township_code
MERGE (v)-[:IN_TOWNSHIP]->(t)
"""

# A household already registered elsewhere (another village or address) moved: each of its
# members now is told.
_HOUSEHOLD_MOVED = f"""
CASE WHEN from_village IS NULL OR (from_village = row.village_code AND from_address = row.address) THEN []
ELSE [who IN COLLECT {{ MATCH (h)<-[m:MEMBER_OF]-(x:Person) WHERE m.until IS NULL RETURN x.id_number }}
      | {{kind: '{ChangeKind.HOUSEHOLD_MOVED}', id_number: who,
          detail: {{household_id: row.household_id, from_village: from_village,
                    to_village: row.village_code}}}}]
END"""

UPSERT_HOUSEHOLDS = (
    """
UNWIND $rows AS row
MATCH (v:Village {code: row.village_code})
MERGE (h:Household {household_id: row.household_id})
WITH row, v, h, h.village_code AS from_village, h.address AS from_address
SET h.village_code = row.village_code, h.township_code = v.township_code,
    h.address = row.address, h.registered_date = row.registered_date
WITH row, v, h, from_village, from_address
"""
    + append_changes(_HOUSEHOLD_MOVED, "row, h, from_village, from_address")
    + """
MERGE (a:Address {key: row.address})
MERGE (h)-[:IN_VILLAGE]->(v)
MERGE (h)-[:LIVES_AT]->(a)
WITH h, v, a
OPTIONAL MATCH (h)-[moved:IN_VILLAGE|LIVES_AT]->(old) WHERE old <> v AND old <> a
DELETE moved
"""
)

UPSERT_PERSONS = """
UNWIND $rows AS row
MATCH (h:Household {household_id: row.household_id})
MERGE (p:Person {id_number: row.id_number})
SET p.name = row.name, p.name_latin = row.name_latin, p.document_type = row.document_type, p.sex = row.sex,
    p.birth_date = row.birth_date
MERGE (p)-[m:MEMBER_OF {since: row.member_since}]->(h)
SET m.relation = row.relation, m.until = row.member_until
"""

UPSERT_KINSHIP = """
UNWIND $rows AS row
MATCH (a:Person {id_number: row.id_number})
MATCH (b:Person {id_number: row.relative_id_number})
MERGE (a)-[k:KIN_OF {relation: row.relation}]->(b)
SET k.source = row.source
"""

UPSERT_STAFF = """
UNWIND $rows AS row
MATCH (p:Person {id_number: row.id_number})
MATCH (t:Township {code: row.township_code})
MATCH (d:Department {code: row.department})
SET p:Staff, p.staff_id = row.staff_id, p.staff_role = row.role, p.department_code = row.department,
    p.township_code = row.township_code, p.village_code = row.village_code,
    p.active_from = row.active_from, p.active_until = row.active_until,
    p.public_employee = row.public_employee
MERGE (p)-[:EMPLOYED_BY]->(d)
MERGE (p)-[:WORKS_IN]->(t)
WITH p, row
OPTIONAL MATCH (v:Village {code: row.village_code})
FOREACH (x IN [y IN [v] WHERE y IS NOT NULL] | MERGE (p)-[:WORKS_IN]->(x))
"""

UPSERT_RELATIVE_FILINGS = """
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
MATCH (p:Person {id_number: row.relative_id_number})
MERGE (s)-[f:FILED_RELATIVE]->(p)
SET f.relation = row.relation, f.filed_date = row.filed_date
"""

UPSERT_PHONES = """
UNWIND $rows AS row
MATCH (p:Person {id_number: row.id_number})
MERGE (ph:Phone {number: row.phone})
MERGE (p)-[r:HAS_PHONE]->(ph)
SET r.source = row.source, r.as_of = row.as_of
"""

UPSERT_ADDRESSES = """
UNWIND $rows AS row
MATCH (p:Person {id_number: row.id_number})
MERGE (a:Address {key: row.address})
MERGE (p)-[r:REGISTERED_AT {kind: row.kind}]->(a)
SET r.source = row.source, r.as_of = row.as_of
"""

# An account may have several holders over time: a row naming another holder replaces the
# earlier one as a correction with history; a joint holder's row adds one, and a later row
# naming the main holder leaves the joint holders in place.
UPSERT_BANK_ACCOUNTS = (
    """
UNWIND $rows AS row
MATCH (p:Person {id_number: row.holder_id_number})
MERGE (a:BankAccount {number: row.account_number})
SET a.bank = row.bank, a.opened_date = row.opened_date
WITH row, p, a
CALL (row, p, a) {
  WITH row, p, a WHERE NOT row.joint_holder
"""
    + replace_single("a", "HOLDS_ACCOUNT", "p", incoming=True, keep="coalesce(stale.joint, false)")
    + """
}
MERGE (p)-[h:HOLDS_ACCOUNT]->(a)
SET h.joint = row.joint_holder
"""
)


def _person_params(row: FeedRow) -> dict[str, Any]:
    params = row.params()
    params["name_latin"] = latin_name(params["name"])  # pinyin, for search
    return params


REGISTER_FEEDS = (
    Feed("regions", rows.RegionRow, 10, UPSERT_REGIONS, "township and village register (MZ)", owners=("MZ",)),
    Feed(
        "households",
        rows.HouseholdRow,
        20,
        UPSERT_HOUSEHOLDS,
        "household register (GA)",
        refs=(Ref("village_code", RefKind.VILLAGE),),
        owners=("GA",),
    ),
    Feed(
        "persons",
        rows.PersonRow,
        30,
        UPSERT_PERSONS,
        "population register, one row per membership (GA)",
        refs=(Ref("household_id", RefKind.HOUSEHOLD),),
        owners=("GA",),
        to_params=_person_params,
    ),
    Feed(
        "kinship",
        rows.KinshipRow,
        40,
        UPSERT_KINSHIP,
        "recorded family relations (GA, MZ)",
        refs=(Ref("id_number", RefKind.PERSON), Ref("relative_id_number", RefKind.PERSON)),
        owners=("GA", "MZ"),
    ),
    Feed(
        "staff",
        rows.StaffRow,
        40,
        UPSERT_STAFF,
        "caseworkers, coordinators, grid workers, cadres (MZ)",
        refs=(
            Ref("id_number", RefKind.PERSON),
            Ref("township_code", RefKind.TOWNSHIP),
            Ref("village_code", RefKind.VILLAGE),
        ),
        owners=("MZ",),
    ),
    Feed(
        "relative_filings",
        rows.RelativeFilingRow,
        50,
        UPSERT_RELATIVE_FILINGS,
        "staff members' filed relatives (备案, MZ)",
        refs=(Ref("staff_id", RefKind.STAFF), Ref("relative_id_number", RefKind.PERSON)),
        owners=("MZ",),
    ),
    Feed(
        "phones",
        rows.PhoneRow,
        40,
        UPSERT_PHONES,
        "phone numbers known to a department",
        refs=(Ref("id_number", RefKind.PERSON),),
    ),
    Feed(
        "addresses",
        rows.AddressRow,
        40,
        UPSERT_ADDRESSES,
        "registered and residence addresses",
        refs=(Ref("id_number", RefKind.PERSON),),
    ),
    Feed(
        "bank_accounts",
        rows.BankAccountRow,
        40,
        UPSERT_BANK_ACCOUNTS,
        "bank accounts and holders (YH)",
        refs=(Ref("holder_id_number", RefKind.PERSON),),
        owners=("YH",),
    ),
)
