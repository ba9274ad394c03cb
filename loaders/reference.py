"""Reference data from the rule file: the county, departments and programmes."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from neo4j import Driver, ManagedTransaction
from pydantic import BaseModel, ValidationError


class County(BaseModel):
    code: str
    name: str
    name_en: str


class Department(BaseModel):
    name: str
    name_en: str


class Programme(BaseModel):
    name: str
    name_en: str
    department: str
    unit: Literal["household", "person", "event"]
    means_tested: bool
    basic_living: bool


class ReferenceData(BaseModel):
    county: County
    departments: dict[str, Department]
    programmes: dict[str, Programme]

    def validation_context(self) -> dict[str, set[str]]:
        return {"departments": set(self.departments), "programmes": set(self.programmes)}


class RuleFileError(ValueError):
    pass


def read_reference(path: Path) -> ReferenceData:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        reference = ReferenceData.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise RuleFileError(f"{path}: {exc}") from exc
    for code, programme in reference.programmes.items():
        if programme.department not in reference.departments:
            raise RuleFileError(f"{path}: programme {code} names unknown department {programme.department}")
    return reference


UPSERT_REFERENCE = """
MERGE (c:County {code: $county.code})
SET c.name = $county.name, c.name_en = $county.name_en
WITH c
UNWIND $departments AS d
MERGE (dep:Department {code: d.code})
SET dep.name = d.name, dep.name_en = d.name_en
WITH count(*) AS _
UNWIND $programmes AS p
MATCH (dep:Department {code: p.department})
MERGE (prog:Programme {code: p.code})
SET prog.name = p.name, prog.name_en = p.name_en, prog.unit = p.unit,
    prog.means_tested = p.means_tested, prog.basic_living = p.basic_living,
    prog.department_code = p.department
MERGE (dep)-[:RUNS]->(prog)
"""


def _upsert(tx: ManagedTransaction, reference: ReferenceData) -> None:
    tx.run(
        UPSERT_REFERENCE,
        county=reference.county.model_dump(),
        departments=[{"code": k, **v.model_dump()} for k, v in reference.departments.items()],
        programmes=[{"code": k, **v.model_dump()} for k, v in reference.programmes.items()],
    ).consume()


def upsert_reference(driver: Driver, database: str, reference: ReferenceData) -> None:
    with driver.session(database=database) as session:
        session.execute_write(_upsert, reference)
