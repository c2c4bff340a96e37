"""The schema this newsdesk writes and reads: a module of its own, so the reading commands can
check a database's version without loading the table models (which load SQLAlchemy).
On any change of the tables: bump it and add the step to _migrations.MIGRATIONS."""

SCHEMA_VERSION = 7
