"""Who counts as a staff member's relative among a case's beneficiaries: one definition for
RELATIONSHIP_BENEFIT (found afterwards, detection/detectors/fraud.py) and the conflict-of-
interest check at the point of decision (prevented, resolvers/cases.py).

Cypher fragments over the variables s (the Staff member's Person node), c (the Case),
h (its Household) and b (a beneficiary: a member of h)."""

# The beneficiaries b of case c: the members of its household h.
CASE_BENEFICIARIES = "(c)-[:FOR_HOUSEHOLD]->(h:Household)<-[:MEMBER_OF]-(b:Person)"
# s is related to b: kin, either way, or a member of the same household.
STAFF_RELATED = "(b <> s AND (EXISTS { (s)-[:KIN_OF]-(b) } OR EXISTS { (s)-[:MEMBER_OF]->(h) }))"
# The relation is filed (备案): the staff member declared this relative.
RELATION_FILED = "EXISTS { (s)-[:FILED_RELATIVE]->(b) }"
