"""The seed loader's public names, for ``council seed``, the tests and the benchmarks.

The work is split in three: :mod:`council.seeds.schema` (the file's entries
as pydantic models), :mod:`council.seeds.parse` (file -> checked
:class:`SeedFile`, no database) and :mod:`council.seeds.load` (checked file ->
database, through the services).
"""

from council.seeds.load import KindCount, ProgressCallback, SeedReport, load_seed
from council.seeds.parse import BUILTIN_DIR, SeedError, SeedFile, builtin_seeds, parse_seed, resolve_source
from council.seeds.schema import (
    CityEntry,
    MemberEntry,
    OrganizationEntry,
    PhaseEntry,
    PillarEntry,
    ProgrammeEntry,
    ProposalEntry,
)

__all__ = [
    "BUILTIN_DIR",
    "CityEntry",
    "KindCount",
    "MemberEntry",
    "OrganizationEntry",
    "PhaseEntry",
    "PillarEntry",
    "ProgrammeEntry",
    "ProgressCallback",
    "ProposalEntry",
    "SeedError",
    "SeedFile",
    "SeedReport",
    "builtin_seeds",
    "load_seed",
    "parse_seed",
    "resolve_source",
]
