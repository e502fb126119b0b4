import dagster as dg

from pipeline.resources import WarehousePaths

defs = dg.Definitions(resources={"paths": WarehousePaths()})
