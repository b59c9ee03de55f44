"""The rule catalogue: one YAML file per rule under ``catalog/<group>/<ID>.yaml``."""
