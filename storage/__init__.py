"""Storage (SQLAlchemy on SQLite and PostgreSQL) implementing the core's repository ports.

Arrives with the storage issue (#3); until then the core keeps nothing between runs.
"""
