"""Storage: typed SQLAlchemy models, thin repositories and Alembic migrations."""
