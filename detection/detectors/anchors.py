"""Where detection queries start: the whole county, or only what touches the run's households.

Each anchor is a CALL subquery whose first branch runs on a full run ($households null) and
whose second starts from the given households by their unique key, so an incremental run
reads a neighbourhood of the delta instead of scanning the county. Detectors' queries
begin with one of these and keep their own `$households` filter for exact semantics.
"""

# Grants of (or covering a member of) the households in scope.
GRANTS = """
CALL () {
  MATCH (e:Enrollment) WHERE $households IS NULL RETURN e
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (h:Household {household_id: hid})
  CALL (h) {
    MATCH (h)<-[:GRANTED_TO]-(e:Enrollment) RETURN e
    UNION
    MATCH (h)<-[:MEMBER_OF]-(:Person)<-[:GRANTED_TO|COVERS]-(e:Enrollment) RETURN e
  }
  RETURN e
}
"""

# Persons granted or covered by any grant, and (in scope) the members of the households.
BENEFICIARIES = """
CALL () {
  MATCH (p:Person)<-[:COVERS|GRANTED_TO]-(:Enrollment) WHERE $households IS NULL RETURN DISTINCT p
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (h:Household {household_id: hid})
  CALL (h) {
    MATCH (h)<-[:MEMBER_OF]-(p:Person) RETURN p
    UNION
    MATCH (h)<-[:GRANTED_TO]-(:Enrollment)-[:COVERS]->(p:Person) RETURN p
  }
  RETURN p
}
"""

# Cases of the households in scope.
CASES = """
CALL () {
  MATCH (c:Case) WHERE $households IS NULL RETURN c
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (:Household {household_id: hid})<-[:FOR_HOUSEHOLD]-(c:Case) RETURN c
}
"""

# Persons another department flags as vulnerable (or, in scope, the households' members).
FLAGGED = """
CALL () {
  MATCH (p:Person)-[:HAS_FACT]->(f:Vulnerability) WHERE $households IS NULL RETURN DISTINCT p
  UNION
  MATCH (p:Person)-[:HAS_FACT]->(f:Disability) WHERE $households IS NULL RETURN DISTINCT p
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (:Household {household_id: hid})<-[:MEMBER_OF]-(p:Person) RETURN p
}
"""

# Payment-file lines of the households in scope (a person's lines through their household).
LINES = """
CALL () {
  MATCH (l:PaymentLine) WHERE $households IS NULL RETURN l
  UNION
  UNWIND coalesce($households, []) AS hid
  MATCH (h:Household {household_id: hid})
  CALL (h) {
    MATCH (h)<-[:LINE_FOR]-(l:PaymentLine) RETURN l
    UNION
    MATCH (h)<-[:MEMBER_OF]-(:Person)<-[:LINE_FOR]-(l:PaymentLine) RETURN l
  }
  RETURN l
}
"""
