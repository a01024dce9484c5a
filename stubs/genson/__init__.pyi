# Type stubs for the parts of genson (untyped) that driftdiff extends. They let mypy check the
# subclasses and let mypyc compile them (see setup.py); they describe genson 1.2–1.4.
from genson.schema.builder import SchemaBuilder as SchemaBuilder
from genson.schema.node import SchemaNode as SchemaNode
from genson.schema.strategies import SchemaStrategy as SchemaStrategy
